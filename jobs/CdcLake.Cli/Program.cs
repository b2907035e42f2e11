System.Console.WriteLine("cdclake");
