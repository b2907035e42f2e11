using Amazon;
using Amazon.S3;

namespace CdcLake.Storage;

/// <summary>Opens the right <see cref="IObjectStore"/> for a location.</summary>
public static class ObjectStores
{
    /// <summary>
    /// A store rooted at <paramref name="location"/>: <c>s3://bucket/prefix</c> (also <c>s3a://</c>,
    /// <c>s3n://</c>) gives an <see cref="S3ObjectStore"/> with its own SDK client built from
    /// <paramref name="s3Options"/>; a local path or <c>file:</c> URI gives a <see cref="LocalObjectStore"/>.
    /// </summary>
    public static IObjectStore For(string location, S3StoreOptions? s3Options = null) =>
        For(StorePath.Parse(location), s3Options);

    /// <inheritdoc cref="For(string, S3StoreOptions?)"/>
    public static IObjectStore For(StorePath root, S3StoreOptions? s3Options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.IsLocal)
        {
            return new LocalObjectStore(root);
        }

        var options = s3Options ?? new S3StoreOptions();
        options.Validate();
        return new S3ObjectStore(CreateS3Client(options), root, options, ownsClient: true);
    }

    /// <summary>An SDK client configured from <paramref name="options"/>, for callers that share one client among stores.</summary>
    public static IAmazonS3 CreateS3Client(S3StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config();
        if (options.ServiceUrl is not null)
        {
            // Setting RegionEndpoint would clear ServiceURL, so the region only names the signing region here.
            config.ServiceURL = options.ServiceUrl;
            if (options.Region is not null)
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        config.ForcePathStyle = options.ForcePathStyle;
        options.ConfigureClient?.Invoke(config);
        return options.Credentials is null
            ? new AmazonS3Client(config)
            : new AmazonS3Client(options.Credentials, config);
    }
}
