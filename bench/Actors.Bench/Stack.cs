namespace Actors.Bench;

/// <summary>The stack a scenario loads, and the processes whose CPU it counts.</summary>
internal sealed record Stack(string ApiUrl, string ConnectionString, string Email, string Password, int ApiPid, IReadOnlyList<int> SiloPids, int PostmasterPid)
{
    public CpuMeter Cpu() => new(ApiPid, SiloPids, PostmasterPid);
}
