using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Actors.WebApi.ReviewConsole;

/// <summary>Sign-out deletes the session cookie (a POST with the antiforgery token, like every console form).</summary>
[AllowAnonymous]
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(ConsoleSetup.Path + "/signin");

    public IActionResult OnPost()
    {
        ConsoleSession.End(HttpContext);
        return Redirect(ConsoleSetup.Path + "/signin?signedOut=true");
    }
}
