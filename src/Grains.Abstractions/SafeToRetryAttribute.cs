namespace Actors.Contracts;

/// <summary>
/// Marks a grain method that the API may call again when a silo dies mid-call, because a second
/// call changes nothing the first one did not: reads, and writes whose target and outcome are fixed
/// before the call (a create on an id chosen by the caller answers the first result when repeated).
/// Methods marked <see cref="Orleans.Concurrency.ReadOnlyAttribute"/> are retried as well.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class SafeToRetryAttribute : Attribute;
