using System.Net;
using System.Text;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Hostile;

/// <summary>Refusals found by the fuzz, pinned one by one: each is a 400 problem details naming the field.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ValidationTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"email\":1,\"password\":\"x\"}")]
    [InlineData("{\"email\":\"a@b.example\",\"password\":\"x\",\"role\":\"operator\"}")]
    public async Task MalformedJsonLoginIs400NotA500(string body)
    {
        var response = await fixture.Http.PostAsync("/auth/login", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("body", out _));
    }
}
