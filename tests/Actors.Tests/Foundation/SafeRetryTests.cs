using Actors.Contracts.Schedules;
using Actors.Contracts.Candidates;
using Actors.Contracts.Jobs;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Actors.WebApi.Infrastructure;
using Npgsql;

namespace Actors.Tests.Foundation;

/// <summary>
/// Which grain calls the API repeats when a silo dies mid-call (the whole behaviour under kills is
/// tests/system/fault-test.sh), and how a storage failure that crossed the wire is answered.
/// </summary>
public sealed class SafeRetryTests
{
    [Theory]
    [InlineData(typeof(ICandidateGrain), nameof(ICandidateGrain.GetAsync), true)]
    [InlineData(typeof(ICandidateGrain), nameof(ICandidateGrain.CreateAsync), true)]
    [InlineData(typeof(IJobGrain), nameof(IJobGrain.SubmitAsync), true)]
    [InlineData(typeof(ITenantGrain), nameof(ITenantGrain.LeaseAsync), true)]
    [InlineData(typeof(IUserGrain), nameof(IUserGrain.IsTokenValidAsync), true)]
    [InlineData(typeof(ICandidateGrain), nameof(ICandidateGrain.ApproveAsync), false)]
    [InlineData(typeof(ICandidateGrain), nameof(ICandidateGrain.UpdateAsync), false)]
    [InlineData(typeof(IJobGrain), nameof(IJobGrain.CancelAsync), false)]
    [InlineData(typeof(IScheduleGrain), nameof(IScheduleGrain.TriggerAsync), false)]
    [InlineData(typeof(IUserGrain), nameof(IUserGrain.LoginAsync), false)]
    public void OnlyReadsAndCallsWithACallerChosenIdAreRepeated(Type grain, string method, bool repeated) =>
        Assert.Equal(repeated, SafeRetryFilter.IsSafe(grain.GetMethod(method)!));

    [Fact]
    public void OnlyNoSiloAnsweredFailuresAreTransient()
    {
        Assert.True(SafeRetryFilter.IsTransient(new SiloUnavailableException()));
        Assert.True(SafeRetryFilter.IsTransient(new TimeoutException()));
        Assert.False(SafeRetryFilter.IsTransient(new Actors.Contracts.ActorsException(Actors.Contracts.ErrorCodes.Conflict, "no")));
        Assert.False(SafeRetryFilter.IsTransient(new InvalidOperationException("bug")));
    }

    [Fact]
    public void AStorageFailureInsideAnyExceptionIs503()
    {
        var problem = ProblemDetailsMapping.Map(new InvalidOperationException("grain failed", new NpgsqlException("Failed to connect")));
        Assert.Equal(503, problem.Status);
    }
}
