using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Actors.Contracts;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Candidates;

/// <summary><c>POST /candidates/imports</c>: a CSV file streamed into staging, imported by its job.</summary>
[Collection(ClusterCollection.Name)]
public sealed class CandidateImportTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<(string Token, string Tenant)> ReviewerAsync(object? settings = null)
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(settings);
        return (await s.UserTokenAsync(tenant, "reviewer"), tenant);
    }

    public static HttpRequestMessage Upload(string token, string csv, string? key = null, string contentType = "text/csv")
    {
        var request = TestAuth.Request(HttpMethod.Post, "/candidates/imports", token);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private Task<long> ImportsOfAsync(string tenant) =>
        fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidate_imports WHERE tenant_id = @t", ("t", tenant));

    [Fact]
    public async Task AFileIsImportedByItsJobWithRefusedRecordsReportedByLine()
    {
        var (token, tenant) = await ReviewerAsync();
        // A byte-order mark, CRLF line ends, quoted fields with a comma, a doubled quote and a line break,
        // a blank line, and three refused records: a control character, a bad email, a short row.
        var csv = "\uFEFFcompany_name,contact_email,contact_phone,products\r\n" +
                  "Acme Hosting Ltd,ops@acme.example,+44 20 7946 0000,hosting;email\r\n" +   // line 2
                  "\"Globex, Inc.\",\"vendors@globex.example\",,\"hosting\"\r\n" +              // line 3
                  "\"Multi\nLine Co\",multi@example.com,,\r\n" +                                 // lines 4-5: refused
                  "Initech,not-an-email,,\r\n" +                                                 // line 6: refused
                  "\r\n" +                                                                       // line 7: blank
                  "\"Quote \"\"Q\"\" Ltd\",q@example.com,,a;b;a\r\n" +                           // line 8
                  "Short,row\r\n";                                                               // line 9: refused

        var response = await Http.SendAsync(Upload(token, csv));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.JsonAsync();
        Assert.Equal("candidates.import", accepted.GetProperty("type").GetString());
        var jobId = accepted.GetProperty("id").GetGuid();
        Assert.Equal($"/jobs/{jobId}", response.Headers.Location!.OriginalString);

        var job = await Http.WaitForStatusAsync(token, $"/jobs/{jobId}", "completed", "failed");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal(6, result.GetProperty("total").GetInt32());
        Assert.Equal(3, result.GetProperty("imported").GetInt32());
        Assert.Equal(0, result.GetProperty("already_imported").GetInt32());
        Assert.Equal(3, result.GetProperty("invalid").GetInt32());
        var refused = result.GetProperty("invalid_rows").EnumerateArray().ToList();
        Assert.Equal([4, 6, 9], refused.Select(r => r.GetProperty("line").GetInt32()));
        Assert.True(refused[0].GetProperty("errors").TryGetProperty("company_name", out _));
        Assert.True(refused[1].GetProperty("errors").TryGetProperty("contact_email", out _));
        Assert.Equal("has 2 fields, the header has 4", refused[2].GetProperty("errors").GetProperty("row")[0].GetString());
        Assert.Equal(6, job.GetProperty("progress").GetProperty("processed").GetInt64());

        // The candidates are stored as a create stores them: listed, counted, readable, with their history.
        var list = await (await Http.SendAsync(HttpMethod.Get, "/candidates?limit=10", token)).JsonAsync();
        Assert.Equal(3, list.GetProperty("total").GetInt64());
        var names = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("company_name").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "Acme Hosting Ltd", "Globex, Inc.", "Quote \"Q\" Ltd" }, names);
        var stats = await (await Http.SendAsync(HttpMethod.Get, "/candidates/stats", token)).JsonAsync();
        Assert.Equal(3, stats.GetProperty("by_status").GetProperty("pending").GetInt64());
        Assert.Equal(3, stats.GetProperty("by_provisioning").GetProperty("not_started").GetInt64());

        var quoted = StableId.Create("import", jobId.ToString(), "8");
        var candidate = await (await Http.SendAsync(HttpMethod.Get, $"/candidates/{quoted}", token)).JsonAsync();
        Assert.Equal("Quote \"Q\" Ltd", candidate.GetProperty("company_name").GetString());
        Assert.Equal(["a", "b"], candidate.GetProperty("products").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, candidate.GetProperty("version").GetInt64());
        var history = await (await Http.SendAsync(HttpMethod.Get, $"/candidates/{quoted}/history", token)).JsonAsync();
        Assert.Equal("created", history[0].GetProperty("action").GetString());
        Assert.Equal("job:" + jobId, history[0].GetProperty("actor").GetString());
        var approved = await Http.SendAsync(HttpMethod.Post, $"/candidates/{quoted}/approve", token);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.JsonAsync()).GetProperty("status").GetString());

        // Nothing is left staged; the import's report stays with it.
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidate_import_rows WHERE import_id = @id", ("id", jobId)));
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }

    /// <summary>The API's own example file (its second record quotes a comma) through each door of the JSON API.</summary>
    public static TheoryData<string> Doors => new() { "text/csv upload", "multipart upload", "inline csv job" };

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task TheExampleFileWithAQuotedCommaImportsTheSameThroughEveryDoor(string door)
    {
        var (token, tenant) = await ReviewerAsync();
        var csv = Actors.Contracts.Candidates.CandidateCsv.Example;
        HttpResponseMessage response;
        switch (door)
        {
            case "text/csv upload":
                response = await Http.SendAsync(Upload(token, csv));
                break;
            case "multipart upload":
                var request = TestAuth.Request(HttpMethod.Post, "/candidates/imports", token);
                var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
                file.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
                request.Content = new MultipartFormDataContent { { file, "file", "providers.csv" } };
                response = await Http.SendAsync(request);
                break;
            default:
                response = await Http.SendAsync(HttpMethod.Post, "/jobs", token, new { type = "candidates.import", parameters = new { csv } });
                break;
        }
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await Http.WaitForStatusAsync(token, response.Headers.Location!.OriginalString, "completed", "failed");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        var result = job.GetProperty("result");
        Assert.Equal(2, result.GetProperty("total").GetInt32());
        Assert.Equal(2, result.GetProperty("imported").GetInt32());
        Assert.Equal(0, result.GetProperty("invalid").GetInt32());

        var list = await (await Http.SendAsync(HttpMethod.Get, "/candidates?limit=10", token)).JsonAsync();
        var stored = list.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("company_name").GetString(), i.GetProperty("contact_email").GetString(),
                string.Join(";", i.GetProperty("products").EnumerateArray().Select(p => p.GetString()))))
            .OrderBy(c => c.Item1).ToList();
        Assert.Equal([("Acme Hosting Ltd", "onboarding@acme.example", "hosting;email"), ("Globex, Inc.", "vendors@globex.example", "hosting")], stored);
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task AnInlineCsvWithAnUnknownColumnOrAnOpenQuoteIsRefusedAsAnUploadIsAndStoresNoJob()
    {
        var (token, tenant) = await ReviewerAsync();
        var unknown = await Http.SendAsync(HttpMethod.Post, "/jobs", token,
            new { type = "candidates.import", parameters = new { csv = "company_name,contact_email,fax\nA,a@a.example,1\n" } });
        var open = await Http.SendAsync(HttpMethod.Post, "/jobs", token,
            new { type = "candidates.import", parameters = new { csv = "company_name,contact_email\n\"A,a@a.example\n" } });
        var upload = await Http.SendAsync(Upload(token, "company_name,contact_email,fax\nA,a@a.example,1\n"));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("line 1: column 'fax' is not one of company_name, contact_email, contact_phone, products",
            (await unknown.JsonAsync()).GetProperty("errors").GetProperty("parameters.csv")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);
        Assert.Equal("line 2: a quoted field is not closed",
            (await open.JsonAsync()).GetProperty("errors").GetProperty("parameters.csv")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal("line 1: column 'fax' is not one of company_name, contact_email, contact_phone, products",
            (await upload.JsonAsync()).GetProperty("errors").GetProperty("file")[0].GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task AMultipartUploadWithAFilePartIsImportedAndAReplayedKeyAnswersTheFirstJob()
    {
        var (token, tenant) = await ReviewerAsync();
        var csv = "contact_email,company_name\nalpha@example.com,Alpha\nbeta@example.com,Beta\n";
        HttpRequestMessage Multipart()
        {
            var request = TestAuth.Request(HttpMethod.Post, "/candidates/imports", token);
            var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
            file.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
            form.Add(new StringContent("ignored"), "note");
            form.Add(file, "file", "providers.csv");
            request.Content = form;
            request.Headers.Add("Idempotency-Key", "upload-1");
            return request;
        }

        // The import's id derives from the key, and its candidates' ids from the import's and their line:
        // asked for before the import stores it, a candidate is absent, and found once it is stored.
        var alpha = StableId.Create("import", StableId.Create(tenant, "import", "upload-1").ToString(), "2");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(HttpMethod.Get, $"/candidates/{alpha}", token)).StatusCode);

        var first = await Http.SendAsync(Multipart());
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = (await first.JsonAsync()).GetProperty("id").GetGuid();
        var job = await Http.WaitForStatusAsync(token, $"/jobs/{id}", "completed", "failed");
        Assert.Equal(2, job.GetProperty("result").GetProperty("imported").GetInt32());
        await Wait.UntilAsync(async () => (await Http.SendAsync(HttpMethod.Get, $"/candidates/{alpha}", token)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5), "the activation that found no candidate reads it once imported");

        var replay = await Http.SendAsync(Multipart());
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(id, (await replay.JsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal(1L, await ImportsOfAsync(tenant));
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task BadFilesAreRefusedWithProblemDetailsAndStoreNothing()
    {
        var (token, tenant) = await ReviewerAsync();
        async Task Refused(HttpRequestMessage request, HttpStatusCode status, string? errorText = null)
        {
            var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            if (errorText is not null) Assert.Contains(errorText, body, StringComparison.Ordinal);
        }

        await Refused(Upload(token, "{\"rows\":[]}", contentType: "application/json"), HttpStatusCode.UnsupportedMediaType);
        await Refused(Upload(token, "company_name,contact_email\nA,a@example.com\n", contentType: "text/csv; charset=latin1"), HttpStatusCode.UnsupportedMediaType);
        await Refused(Upload(token, ""), HttpStatusCode.BadRequest, "is empty");
        await Refused(Upload(token, "company_name,contact_email\n"), HttpStatusCode.BadRequest, "has a header and no records");
        await Refused(Upload(token, "company_name,phone\nA,1\n"), HttpStatusCode.BadRequest, "column 'phone' is not one of");
        await Refused(Upload(token, "company_name,company_name,contact_email\nA,A,a@example.com\n"), HttpStatusCode.BadRequest, "is named twice");
        await Refused(Upload(token, "company_name\nA\n"), HttpStatusCode.BadRequest, "the header has no column 'contact_email'");
        await Refused(Upload(token, "company_name,contact_email\nA,a@example.com\n\"B,b@example.com\n"), HttpStatusCode.BadRequest, "line 3: a quoted field is not closed");
        await Refused(Upload(token, "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\ncompany_name",
            contentType: "multipart/form-data; boundary=xyz"), HttpStatusCode.BadRequest, "not multipart/form-data as declared");
        await Refused(Upload(token, "--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--xyz--\r\n",
            contentType: "multipart/form-data; boundary=xyz"), HttpStatusCode.BadRequest, "a multipart part named file");
        var latin1 = Upload(token, "");
        latin1.Content = new ByteArrayContent([.. "company_name,contact_email\nCaf"u8, 0xE9, .. ",c@example.com\n"u8]);
        latin1.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
        await Refused(latin1, HttpStatusCode.BadRequest, "must be UTF-8 text");
        await Refused(Upload(token, "company_name,contact_email\nA,a@example.com\n", key: "bad key with spaces"), HttpStatusCode.BadRequest);
        var viewer = await (await Scenario.StartAsync(Http)).UserTokenAsync(tenant, "viewer");
        await Refused(Upload(viewer, "company_name,contact_email\nA,a@example.com\n"), HttpStatusCode.Forbidden);

        Assert.Equal(0L, await ImportsOfAsync(tenant));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task AFileOverTheLimitsIsRefused413AndStoresNothing()
    {
        await using var api = new ApiHost(fixture.Database.ConnectionString, fixture.Cluster.Options.ClusterId,
            new Dictionary<string, string?> { ["Imports:MaxRows"] = "3", ["Imports:MaxBytes"] = "2048" });
        using var http = api.StartHttp();
        await Wait.UntilAsync(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "API ready");
        var s = await Scenario.StartAsync(http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "reviewer");
        var rows = string.Concat(Enumerable.Range(1, 4).Select(i => $"C{i},c{i}@example.com\n"));

        var tooMany = await http.SendAsync(Upload(token, "company_name,contact_email\n" + rows));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Contains("at most 2 KB and 3 records", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var big = "company_name,contact_email\n" + new string('x', 3000) + ",big@example.com\n";
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(Upload(token, big))).StatusCode);
        // Without a Content-Length (chunked), the limit holds while the body is read.
        var chunked = Upload(token, "");
        chunked.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        chunked.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
        chunked.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await http.SendAsync(chunked)).StatusCode);

        Assert.Equal(0L, await ImportsOfAsync(tenant));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidate_import_rows r WHERE NOT EXISTS (SELECT 1 FROM candidate_imports i WHERE i.id = r.import_id)"));
    }

    [Fact]
    public async Task AnImportStopsAtTheTenantsCapAndReportsTheRecordsPastIt()
    {
        var (token, tenant) = await ReviewerAsync(new { max_candidates = 4 });
        var created = await Http.SendAsync(HttpMethod.Post, "/candidates", token,
            new { company_name = "First", contact_email = "first@example.com" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var csv = "company_name,contact_email\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"C{i},c{i}@example.com\n"));

        var response = await Http.SendAsync(Upload(token, csv));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("id").GetGuid();
        var result = (await Http.WaitForStatusAsync(token, $"/jobs/{id}", "completed", "failed")).GetProperty("result");
        Assert.Equal(3, result.GetProperty("imported").GetInt32());
        Assert.Equal(2, result.GetProperty("over_limit").GetInt32());
        Assert.Equal(2, result.GetProperty("invalid").GetInt32());
        var refused = result.GetProperty("invalid_rows").EnumerateArray().ToList();
        Assert.Equal([5, 6], refused.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("the tenant's limit of 4 candidates is reached", refused[0].GetProperty("errors").GetProperty("row")[0].GetString());
        Assert.Equal(4L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));

        // At the cap, the next upload is refused before its body is read.
        var full = await Http.SendAsync(Upload(token, csv));
        Assert.Equal((HttpStatusCode)422, full.StatusCode);
        Assert.Equal(1L, await ImportsOfAsync(tenant));
    }
}
