namespace Actors.Silo;

/// <summary>
/// Carries the API's <c>request_id</c> (sent in Orleans' request context with every grain call of an
/// HTTP request) into the logging scope of the call on the silo, so the silo's lines of a request
/// can be found by the id its client saw.
/// </summary>
public sealed class RequestIdCallFilter(ILoggerFactory loggers) : IIncomingGrainCallFilter
{
    public const string Key = "request_id";

    private readonly ILogger _logger = loggers.CreateLogger("Actors.Silo.Requests");

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(Key) is not string requestId)
        {
            await context.Invoke();
            return;
        }
        using (_logger.BeginScope(new KeyValuePair<string, object>[] { new(Key, requestId) }))
        {
            await context.Invoke();
        }
    }
}
