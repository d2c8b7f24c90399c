namespace Actors.Infrastructure;

/// <summary>
/// Cluster settings shared by silos and the API, bound from the <c>Orleans</c> section
/// (environment: <c>Orleans__ClusterId</c>, <c>Orleans__SiloPort</c>, ...).
/// </summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    /// <summary>Silos and clients with the same ClusterId form one cluster.</summary>
    public string ClusterId { get; set; } = "actors";

    /// <summary>Identifies the application's stored state (grain rows, reminders) across deployments.</summary>
    public string ServiceId { get; set; } = "actors";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port clients (the API) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address the silo advertises in the membership table.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>How long a grain call may wait for its answer before failing (seconds).</summary>
    public int ResponseTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// How long a grain may stay idle before the silo collects its activation (seconds; Orleans' default is
    /// 15 minutes). Bounds a silo's memory: activations of everything touched in the last age stay in memory.
    /// </summary>
    public int CollectionAgeSeconds { get; set; } = 900;

    /// <summary>
    /// How many grain locations a silo remembers for grains on other silos (Orleans' grain directory cache, an LRU;
    /// 0: none). Orleans' default of 1,000,000 lets the cache grow by some 380 bytes for every grain ever called
    /// on another silo, long after the grain was collected, up to about 380 MB: memory that creeps for hours.
    /// A few times the cluster's busy activations is enough; a miss costs one directory lookup.
    /// </summary>
    public int DirectoryCacheSize { get; set; } = 100_000;

    /// <summary>
    /// The initial timeout of a liveness probe between silos (seconds; Orleans' default is 5). Orleans adapts
    /// it per silo between half and four times this value, and suppresses votes against a silo whose
    /// connection received a message within four times this value times <see cref="NumMissedProbesLimit"/>
    /// (its failure-detection window): with the defaults a silo cut from its peers is declared dead about a
    /// minute after its last message.
    /// </summary>
    public int ProbeTimeoutSeconds { get; set; } = 5;

    /// <summary>Missed probes after which a silo votes another one dead (Orleans' default is 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>Every error of these settings (named as configured), or null when they are usable.</summary>
    public string? Refusal()
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(ClusterId)) errors.Add("Orleans:ClusterId is empty");
        if (string.IsNullOrWhiteSpace(ServiceId)) errors.Add("Orleans:ServiceId is empty");
        if (SiloPort is < 1 or > 65535) errors.Add("Orleans:SiloPort must be 1-65535");
        if (GatewayPort is < 1 or > 65535) errors.Add("Orleans:GatewayPort must be 1-65535");
        if (SiloPort == GatewayPort) errors.Add("Orleans:SiloPort and Orleans:GatewayPort must differ");
        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _)) errors.Add("Orleans:AdvertisedAddress must be an IP address");
        if (ResponseTimeoutSeconds is < 1 or > 300) errors.Add("Orleans:ResponseTimeoutSeconds must be 1-300");
        if (CollectionAgeSeconds is < 10 or > 86400) errors.Add("Orleans:CollectionAgeSeconds must be 10-86400");
        if (DirectoryCacheSize is < 0 or > 1_000_000) errors.Add("Orleans:DirectoryCacheSize must be 0-1000000");
        if (ProbeTimeoutSeconds is < 1 or > 60) errors.Add("Orleans:ProbeTimeoutSeconds must be 1-60");
        if (NumMissedProbesLimit is < 1 or > 10) errors.Add("Orleans:NumMissedProbesLimit must be 1-10");
        return errors.Count > 0 ? string.Join("; ", errors) : null;
    }
}
