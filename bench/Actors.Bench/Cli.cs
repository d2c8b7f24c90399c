using System.CommandLine;
using System.Globalization;

namespace Actors.Bench;

/// <summary>
/// The command line's building blocks (System.CommandLine). Every option is <c>--name value</c>, named as
/// <c>scripts/bench.sh</c> passes it; an unknown option, a missing required one or a value that does not
/// parse is refused with a message and exit code 1.
/// </summary>
internal static class Cli
{
    public static Option<T> Optional<T>(string name, string description, T fallback) =>
        new(name) { Description = description, DefaultValueFactory = _ => fallback };

    public static Option<T> Required<T>(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>A comma-separated list of process ids (<c>--silo-pids 123,456</c>).</summary>
    public static Option<IReadOnlyList<int>> Pids(string name, string description, bool required) => new(name)
    {
        Description = description,
        Required = required,
        DefaultValueFactory = _ => [],
        CustomParser = result =>
        {
            var pids = new List<int>();
            foreach (var part in result.Tokens.Single().Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    result.AddError($"{name}: '{part}' is not a process id");
                    return [];
                }
                pids.Add(pid);
            }
            return pids;
        },
    };
}

/// <summary>The stack a scenario loads, and the processes whose CPU it counts.</summary>
internal sealed record Stack(string ApiUrl, string ConnectionString, string Email, string Password, int ApiPid, IReadOnlyList<int> SiloPids, int PostmasterPid)
{
    public CpuMeter Cpu() => new(ApiPid, SiloPids, PostmasterPid);
}

/// <summary>The options naming the <see cref="Stack"/>: required by the scenarios' subcommands, defaulted by the root command.</summary>
internal sealed class StackOptions
{
    private readonly Option<string> _api;
    private readonly Option<string> _pg;
    private readonly Option<string> _email;
    private readonly Option<string> _password;
    private readonly Option<int> _apiPid;
    private readonly Option<IReadOnlyList<int>> _siloPids;
    private readonly Option<int> _postmasterPid;

    public StackOptions(Command command, bool required)
    {
        Option<T> Make<T>(string name, string description, T fallback) =>
            required ? Cli.Required<T>(name, description) : Cli.Optional(name, description, fallback);
        _api = Make("--api", "The API's base URL", "http://127.0.0.1:8080");
        _pg = Make("--pg", "The stack's PostgreSQL connection string", "");
        _email = Make("--email", "The operator's email (the bootstrap operator)", "");
        _password = Make("--password", "The operator's password", "");
        _apiPid = Make("--api-pid", "The API's process id (CPU)", 0);
        _siloPids = Cli.Pids("--silo-pids", "The silos' process ids, comma-separated (CPU)", required);
        _postmasterPid = Make("--postmaster-pid", "PostgreSQL's postmaster process id (CPU, with its backends)", 0);
        foreach (var option in new Option[] { _api, _pg, _email, _password, _apiPid, _siloPids, _postmasterPid })
        {
            command.Options.Add(option);
        }
    }

    public Stack Read(ParseResult result) => new(
        result.GetValue(_api)!, result.GetValue(_pg)!, result.GetValue(_email)!, result.GetValue(_password)!,
        result.GetValue(_apiPid), result.GetValue(_siloPids) ?? [], result.GetValue(_postmasterPid));
}
