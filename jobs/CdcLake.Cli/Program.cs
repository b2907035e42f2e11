using System.Text;
using CdcLake.Cli;

// stdout is written as UTF-8 bytes through one buffered writer (the row writers write straight to its
// stream); stderr stays the console's, unbuffered.
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
try
{
    return CliApp.Invoke(args, stdout, Console.Error);
}
finally
{
    try
    {
        stdout.Flush();
    }
    catch (IOException)
    {
        // the reader of stdout went away; nothing left to tell it
    }
}
