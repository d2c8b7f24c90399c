namespace Actors.WebApi.ReviewConsole;

public sealed class IndexModel : ConsolePage
{
    public void OnGet()
    {
    }
}
