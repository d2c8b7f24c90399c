using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Actors.Infrastructure.Options;

/// <summary>
/// The one settings style of the project: every options class has a <c>Section</c> and a
/// <c>string? Refusal()</c> (its first problem, named by its setting, or null), is bound with
/// <c>AddOptions&lt;T&gt;().BindConfiguration(T.Section).ValidateWith(o =&gt; o.Refusal())</c> and so is
/// checked when the host starts; settings the host's wiring needs before its container is built are
/// read with <see cref="AddOptionsReadNow"/>, which runs the same validator.
/// </summary>
public static class OptionsValidation
{
    /// <summary>
    /// Checks the bound settings when the host starts: <paramref name="refusal"/> answers the first
    /// problem (named by its setting) or null, and a host with a problem does not start.
    /// </summary>
    public static OptionsBuilder<T> ValidateWith<T>(this OptionsBuilder<T> builder, Func<T, string?> refusal) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new Refusing<T>(builder.Name, refusal));
        return builder.ValidateOnStart();
    }

    /// <summary>
    /// For settings the host's wiring needs before its container is built: registers them as
    /// <see cref="ValidateWith"/> does, and binds <paramref name="section"/> now and refuses it with the same
    /// validator, throwing the <see cref="OptionsValidationException"/> the host would throw at start.
    /// </summary>
    public static T AddOptionsReadNow<T>(this IHostApplicationBuilder builder, string section, Func<T, string?> refusal) where T : class, new()
    {
        builder.Services.AddOptions<T>().BindConfiguration(section).ValidateWith(refusal);
        return builder.Configuration.GetValidated(section, refusal);
    }

    /// <summary>Binds <paramref name="section"/> and refuses it with the validator of <see cref="ValidateWith"/>.</summary>
    public static T GetValidated<T>(this IConfiguration configuration, string section, Func<T, string?> refusal) where T : class, new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        var result = new Refusing<T>(Microsoft.Extensions.Options.Options.DefaultName, refusal).Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        return result.Failed
            ? throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(T), result.Failures)
            : options;
    }

    private sealed class Refusing<T>(string? name, Func<T, string?> refusal) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options) =>
            name is not null && name != optionsName ? ValidateOptionsResult.Skip
            : refusal(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
