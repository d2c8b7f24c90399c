using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Actors.Infrastructure.Options;

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

    private sealed class Refusing<T>(string? name, Func<T, string?> refusal) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options) =>
            name is not null && name != optionsName ? ValidateOptionsResult.Skip
            : refusal(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
