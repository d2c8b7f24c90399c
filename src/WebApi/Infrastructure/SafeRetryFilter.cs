using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Actors.Contracts;
using Orleans.Concurrency;
using Orleans.Runtime.Messaging;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Orleans delivers at most once: a call in flight to a silo that dies fails (at once, or after the
/// response timeout). This client-side filter calls again the grain methods for which a second call
/// is harmless (<see cref="ReadOnlyAttribute"/> or <see cref="SafeToRetryAttribute"/>) when the
/// failure says "no silo answered", so a client does not see a silo's death. It retries with a short
/// growing backoff and starts no new attempt once the retry window (twice the response timeout) has
/// passed since the HTTP request began (<see cref="MarkRequestStart"/>; outside a request, since the
/// call began): the grain calls of one request together wait at most about the window plus two
/// response timeouts. Anything else fails as before.
/// </summary>
public sealed partial class SafeRetryFilter(TimeSpan window, ILogger<SafeRetryFilter> logger) : IOutgoingGrainCallFilter
{
    public const int MaxAttempts = 6;
    private static readonly ConcurrentDictionary<MethodInfo, bool> Safe = new();
    private static readonly AsyncLocal<long> RequestStarted = new();

    /// <summary>Middleware: the retry window of every grain call of this request counts from now.</summary>
    public static async Task MarkRequestStart(HttpContext context, RequestDelegate next)
    {
        RequestStarted.Value = Stopwatch.GetTimestamp();
        await next(context);
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod is not { } method || !Safe.GetOrAdd(method, IsSafe))
        {
            await context.Invoke();
            return;
        }
        var started = RequestStarted.Value is > 0 and var requestStart ? requestStart : Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            Exception? failure;
            try
            {
                await context.Invoke();
                failure = context.Response?.Exception;
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            if (failure is null || !IsTransient(failure) || attempt >= MaxAttempts
                || Stopwatch.GetElapsedTime(started) + delay > window)
            {
                if (failure is not null && context.Response?.Exception is null)
                {
                    ExceptionDispatchInfo.Throw(failure);
                }
                return;
            }
            LogRetry(logger, context.InterfaceName, context.MethodName, attempt, failure.GetType().Name, (int)delay.TotalMilliseconds);
            await Task.Delay(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    /// <summary>Failures that mean the call found no live silo (or no answer from one), not a refusal by the grain.</summary>
    public static bool IsTransient(Exception exception) => exception is SiloUnavailableException or ConnectionFailedException
        or OrleansMessageRejectionException or GatewayTooBusyException or TimeoutException;

    public static bool IsSafe(MethodInfo method) =>
        method.IsDefined(typeof(SafeToRetryAttribute), false) || method.IsDefined(typeof(ReadOnlyAttribute), false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain call {Interface}.{Method} attempt {Attempt} failed ({ExceptionType}); calling again in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string @interface, string method, int attempt, string exceptionType, int delayMs);
}
