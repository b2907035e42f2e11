using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Amazon.Runtime;

namespace CdcLake.Storage.Tests;

/// <summary>One HTTP request the SDK sent, as it went on the wire.</summary>
public sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public bool IsPutObject => Method == "PUT" && Uri.Query.Length == 0;

    public bool IsUploadPart => Method == "PUT" && Uri.Query.Contains("partNumber=", StringComparison.Ordinal);

    public bool IsInitiateMultipart => Method == "POST" && Uri.Query.Contains("uploads", StringComparison.Ordinal);

    public bool IsCompleteMultipart => Method == "POST" && Uri.Query.Contains("uploadId=", StringComparison.Ordinal);

    public bool IsAbortMultipart => Method == "DELETE" && Uri.Query.Contains("uploadId=", StringComparison.Ordinal);

    public override string ToString() => $"{Method} {Uri.PathAndQuery}";
}

/// <summary>
/// Sits between the S3 SDK and the network (as the SDK's <see cref="HttpClientFactory"/>): records every
/// request with its headers, so tests can check what would reach Amazon S3 (If-None-Match, Range), and
/// can answer chosen requests itself to play S3 behaviour that s3rver lacks (412 on a conditional PUT)
/// or to inject failures.
/// </summary>
public sealed class HttpRecorder : HttpClientFactory
{
    private readonly Lazy<HttpClient> _client;
    private int _partsInFlight;
    private int _maxPartsInFlight;

    public HttpRecorder()
    {
        _client = new Lazy<HttpClient>(() => new HttpClient(new RecordingHandler(this, new SocketsHttpHandler())));
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Return a response to answer a request without sending it; null lets it through.</summary>
    public Func<RecordedRequest, HttpResponseMessage?>? Intercept { get; set; }

    /// <summary>The most UploadPart requests that were on the wire at the same time.</summary>
    public int MaxPartsInFlight => Volatile.Read(ref _maxPartsInFlight);

    public IReadOnlyList<RecordedRequest> Where(Func<RecordedRequest, bool> predicate) => [.. Requests.Where(predicate)];

    public void Clear() => Requests.Clear();

    // One client for every request of this recorder: the SDK's own cache is keyed by configuration,
    // so two clients with equal settings but different recorders would otherwise share one.
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client.Value;

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string GetConfigUniqueString(IClientConfig clientConfig) => $"recorder-{GetHashCode()}";

    /// <summary>An S3 error response, as S3 writes them.</summary>
    public static HttpResponseMessage S3Error(HttpStatusCode status, string code, string message) => new(status)
    {
        Content = new StringContent(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>recorder</RequestId></Error>",
            Encoding.UTF8,
            "application/xml"),
    };

    private sealed class RecordingHandler(HttpRecorder owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers)
            {
                headers[name] = string.Join(",", values);
            }

            if (request.Content is not null)
            {
                foreach (var (name, values) in request.Content.Headers)
                {
                    headers[name] = string.Join(",", values);
                }
            }

            var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, headers);
            owner.Requests.Enqueue(recorded);
            if (owner.Intercept?.Invoke(recorded) is { } canned)
            {
                canned.RequestMessage = request;
                return canned;
            }

            if (!recorded.IsUploadPart)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var now = Interlocked.Increment(ref owner._partsInFlight);
            InterlockedMax(ref owner._maxPartsInFlight, now);
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref owner._partsInFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
