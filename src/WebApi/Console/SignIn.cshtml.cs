using Actors.Contracts;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// The console's sign-in: the same check as <c>POST /auth/login</c> (<see cref="SignInService"/>),
/// its refusals (wrong password, lockout, suspended tenant) shown as messages.
/// </summary>
[AllowAnonymous]
public sealed class SignInModel(SignInService signIns, TokenIssuer issuer, TimeProvider clock) : PageModel
{
    public string? Error { get; private set; }

    public string? ErrorCode { get; private set; }

    public string? Email { get; private set; }

    public bool SignedOut { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet(bool signedOut = false) => SignedOut = signedOut;

    public async Task<IActionResult> OnPostAsync(string? email, string? password)
    {
        Email = email;
        SignInOutcome signIn;
        try
        {
            signIn = await signIns.SignInAsync(HttpContext, email, password);
        }
        catch (ActorsException invalid) when (invalid.Code == ErrorCodes.Validation)
        {
            signIn = SignInOutcome.Refused(ErrorCodes.Validation, "Enter your email address and your password.");
        }
        if (signIn.Code is not null)
        {
            ErrorCode = signIn.Code;
            Error = signIn.Message;
            Response.StatusCode = ProblemDetailsMapping.StatusFor(signIn.Code);
            return Page();
        }
        ConsoleSession.Start(HttpContext, signIn.Token!, issuer.LifetimeSeconds, clock);
        // Only back to a page of this console or the dashboard: never an open redirect.
        var back = ReturnUrl is { } url && Url.IsLocalUrl(url) && (url.StartsWith("/console", StringComparison.Ordinal)
            || url.StartsWith("/dashboard", StringComparison.Ordinal)) ? url : ConsoleSetup.Path;
        return LocalRedirect(back);
    }
}
