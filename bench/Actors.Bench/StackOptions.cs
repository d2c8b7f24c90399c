using System.CommandLine;

namespace Actors.Bench;

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
