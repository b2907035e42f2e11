using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace CdcLake.Storage.Internal;

internal static class S3Errors
{
    /// <summary>Failures of the SDK or the connection, which become <see cref="StorageException"/>s; cancellation is not one.</summary>
    public static bool IsStoreError(Exception e) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        && e is not StorageException;

    public static bool IsNotFound(Exception e) =>
        e is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } s3 && s3.ErrorCode is not ("NoSuchBucket" or "NoSuchUpload");

    /// <summary>S3's answer to a conditional write that another conditional write on the same key is racing.</summary>
    public static bool IsConditionalConflict(Exception e) =>
        e is AmazonS3Exception { StatusCode: HttpStatusCode.Conflict };

    public static StorageException Map(Exception e, StorageOperation operation, string location)
    {
        if (IsNotFound(e))
        {
            return new ObjectNotFoundException(operation, location, e);
        }

        if (e is AmazonS3Exception s3)
        {
            if (s3.StatusCode == HttpStatusCode.PreconditionFailed && operation == StorageOperation.Create)
            {
                return new ObjectExistsException(operation, location, e);
            }

            return new StorageException(operation, location, $"S3 answered {(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}", e);
        }

        return new StorageException(operation, location, e.Message, e);
    }
}
