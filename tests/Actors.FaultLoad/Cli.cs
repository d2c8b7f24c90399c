using System.CommandLine;

namespace Actors.FaultLoad;

/// <summary>
/// The command line (System.CommandLine): the load by default, and the modes <c>proxy</c> (<see cref="Proxy"/>),
/// <c>hold</c> (<see cref="Holder"/>) and <c>verify</c> (<see cref="Verify"/>). <c>--help</c> lists every option.
/// </summary>
public static class Cli
{
    /// <summary>The root command with every mode.</summary>
    public static RootCommand Build()
    {
        var api = new Option<string>("--api") { Description = "The API's base URL", Required = true };
        var token = new Option<string>("--token") { Description = "Bearer token of the tenant's admin", Required = true };
        var dir = new Option<string>("--dir") { Description = "Work folder: phase and stop files in, acked.txt, approved.txt, jobs.txt and summary.json out", Required = true };
        var clients = Int("--clients", 4, "Clients, each sending one request after the other");
        var pause = Int("--pause-ms", 40, "Pause after each answer when --rate is 0");
        var retryCap = Int("--retry-after-cap-ms", 1000, "Longest wait before retrying a 503/429 (Retry-After is in whole seconds)");
        var httpTimeout = Int("--http-timeout-s", 30, "HTTP client timeout in seconds");
        var hang = Int("--hang-ms", 25000, "An answer slower than this is a failure");
        var mix = new Option<string>("--mix") { Description = "create: only creates; soak: reads, approves, creates and job batches", DefaultValueFactory = _ => "create" };
        mix.AcceptOnlyFromAmong("create", "soak");
        var rate = new Option<double>("--rate") { Description = "Requests per second in all (0: each client waits --pause-ms after an answer)", DefaultValueFactory = _ => 0 };
        var jobsPerBatch = Int("--jobs-per-batch", 5, "Jobs in each batch of the soak mix");
        var window = Int("--window-s", 300, "Length of the first and last latency windows of phase measure");

        var root = new RootCommand("The steady load of the system fault tests (tests/system/*.sh), and its helper modes.")
        {
            api, token, dir, clients, pause, retryCap, httpTimeout, hang, mix, rate, jobsPerBatch, window,
        };
        root.SetAction(r => Program.LoadAsync(new Options(r.GetRequiredValue(api), r.GetRequiredValue(token), r.GetRequiredValue(dir),
            r.GetValue(clients), r.GetValue(pause), r.GetValue(retryCap), r.GetValue(httpTimeout), r.GetValue(hang),
            r.GetRequiredValue(mix), r.GetValue(rate), r.GetValue(jobsPerBatch), r.GetValue(window))));
        root.Subcommands.Add(ProxyCommand());
        root.Subcommands.Add(HoldCommand());
        root.Subcommands.Add(Verify.Command());
        return root;
    }

    private static Option<int> Int(string name, int value, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    private static Command ProxyCommand()
    {
        var listen = new Option<int>("--listen") { Description = "Port to listen on (127.0.0.1)", Required = true };
        var target = new Option<int>("--target") { Description = "PostgreSQL's port (127.0.0.1)", Required = true };
        var delayFile = new Option<string?>("--delay-file") { Description = "File holding the delay in milliseconds (absent: none)" };
        var command = new Command("proxy", "A delaying TCP proxy in front of PostgreSQL; runs until killed") { listen, target, delayFile };
        command.SetAction(r => Proxy.RunAsync(r.GetValue(listen), r.GetValue(target), r.GetValue(delayFile)));
        return command;
    }

    private static Command HoldCommand()
    {
        var connection = new Option<string>("--connection-string") { Description = "The database to take every connection of (as its superuser)", Required = true };
        var seconds = new Option<int>("--seconds") { Description = "How long to hold them", Required = true };
        var readyFile = new Option<string>("--ready-file") { Description = "Gets the number of connections held once they are all taken", Required = true };
        var command = new Command("hold", "A client that holds every PostgreSQL connection for a while") { connection, seconds, readyFile };
        command.SetAction(r => Holder.RunAsync(r.GetRequiredValue(connection), r.GetValue(seconds), r.GetRequiredValue(readyFile)));
        return command;
    }
}
