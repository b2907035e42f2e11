namespace CdcLake.Cdc;

/// <summary>One problem with a pipeline: the field's path (<c>tables[2].recordKey</c>) and what is wrong.</summary>
public sealed record PipelineConfigError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A pipeline file or model is not valid; <see cref="Errors"/> lists every problem found, by field.</summary>
public sealed class PipelineConfigException : Exception
{
    public PipelineConfigException(IReadOnlyList<PipelineConfigError> errors, string? file = null)
        : base(Describe(errors, file))
    {
        Errors = errors;
        File = file;
    }

    public PipelineConfigException()
        : this([])
    {
    }

    public PipelineConfigException(string message)
        : base(message)
    {
        Errors = [new PipelineConfigError("$", message)];
    }

    public PipelineConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new PipelineConfigError("$", message)];
    }

    public IReadOnlyList<PipelineConfigError> Errors { get; } = [];

    /// <summary>The pipeline file, when the model came from one.</summary>
    public string? File { get; }

    private static string Describe(IReadOnlyList<PipelineConfigError> errors, string? file)
    {
        var head = file is null ? "invalid pipeline" : $"{file}: invalid pipeline";
        return errors.Count switch
        {
            0 => head,
            1 => $"{head}: {errors[0]}",
            _ => $"{head}, {errors.Count} errors: {string.Join("; ", errors)}",
        };
    }
}
