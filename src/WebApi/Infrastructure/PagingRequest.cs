using Actors.Data;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// A list's <c>limit</c>, <c>offset</c> and <c>cursor</c> as given, checked: <c>limit</c> 1..100 (default 20),
/// then either <c>cursor</c> (the <c>next</c> of the previous page) or <c>offset</c> up to <see cref="Paging.MaxOffset"/>.
/// </summary>
public static class PagingRequest
{
    public static Paging From(int? limit, int? offset, string? cursor, Validator errors)
    {
        errors.Range("limit", limit, 1, Paging.MaxLimit);
        errors.Range("offset", offset, 0, Paging.MaxOffset);
        Cursor? after = null;
        if (cursor is not null)
        {
            after = Cursor.TryParse(cursor);
            if (after is null)
            {
                errors.Add("cursor", "must be the 'next' of a page this API answered");
            }
            else if (offset is > 0)
            {
                errors.Add("offset", "cannot be combined with cursor");
            }
        }
        return new Paging(limit ?? Paging.DefaultLimit, offset ?? 0, after);
    }
}
