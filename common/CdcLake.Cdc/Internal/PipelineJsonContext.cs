using System.Text.Json.Serialization;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// Source-generated serialization of the pipeline model: no reflection at run time, and the metadata
/// <see cref="JsonShapeChecker"/> walks to report unknown fields and wrong value types by path.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(PipelineConfig))]
internal sealed partial class PipelineJsonContext : JsonSerializerContext
{
}
