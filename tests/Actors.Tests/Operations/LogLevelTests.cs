using Actors.Infrastructure.Logging;
using Actors.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Tests.Operations;

/// <summary>
/// The level of every host comes from the framework's filter configuration, <c>Logging:LogLevel</c>;
/// the operator's <c>LOG_LEVEL</c> is mapped onto <c>Logging:LogLevel:Default</c> in one place.
/// </summary>
public sealed class LogLevelTests
{
    private static ILoggerFactory Loggers(Dictionary<string, string?> settings, out IHost host)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddActorsLogging();
        host = builder.Build();
        return host.Services.GetRequiredService<ILoggerFactory>();
    }

    [Theory]
    [InlineData("Debug", LogLevel.Debug)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("warn", LogLevel.Warning)]
    // The spellings of the seeds' runbooks (LOG_LEVEL=INFO, DEBUG, WARNING).
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("WARNING", LogLevel.Warning)]
    [InlineData("fatal", LogLevel.Critical)]
    [InlineData(" Trace ", LogLevel.Trace)]
    public void LogLevelSetsTheDefaultLevel(string value, LogLevel expected)
    {
        var loggers = Loggers(new() { ["LOG_LEVEL"] = value, ["Logging:LogLevel:Default"] = "Critical" }, out var host);
        using (host)
        {
            var logger = loggers.CreateLogger("Actors.Silo");
            Assert.True(logger.IsEnabled(expected));
            Assert.False(expected > LogLevel.Trace && logger.IsEnabled(expected - 1));
            // The per-request categories stay at Warning whatever the default.
            Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting").IsEnabled(LogLevel.Information));
        }
    }

    [Fact]
    public void WithoutLogLevelTheFilterConfigurationApplies()
    {
        var loggers = Loggers(new() { ["LOG_LEVEL"] = "", ["Logging:LogLevel:Default"] = "Warning", ["Logging:LogLevel:Actors.Grains"] = "Debug" }, out var host);
        using (host)
        {
            Assert.False(loggers.CreateLogger("Actors.Silo").IsEnabled(LogLevel.Information));
            Assert.True(loggers.CreateLogger("Actors.Grains.Jobs").IsEnabled(LogLevel.Debug));
        }
    }

    [Fact]
    public void AnApiWithAnUnknownLogLevelDoesNotStartAndNamesLogLevel()
    {
        var unreachable = $"Host=127.0.0.1;Port={ApiHost.FreePort()};Database=none;Username=actors;Password=actors;Timeout=2";
        var api = new ApiHost(unreachable, "lvl" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string?> { ["LOG_LEVEL"] = "loud" });
        var refused = Assert.ThrowsAny<Exception>(() => api.StartHttp());
        Assert.Contains("LOG_LEVEL must be one of Trace, Debug, Information, Warning, Error, Critical, None (or Info, Warn, Fatal), not 'loud'",
            refused.ToString(), StringComparison.Ordinal);
        try { api.Dispose(); } catch (Exception) { /* the host never started */ }
    }
}
