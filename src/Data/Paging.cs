using System.Globalization;
using System.Text;
using Npgsql;

namespace Actors.Data;

/// <summary>
/// Paging of list routes: <c>limit</c> 1..100 (default 20), then either <c>cursor</c> (the <c>next</c>
/// of the previous page: one index range, whatever the table holds) or <c>offset</c> up to
/// <see cref="MaxOffset"/> (reads offset + limit index entries, so it is bounded).
/// </summary>
public readonly record struct Paging(int Limit, int Offset, Cursor? After)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
    public const int MaxOffset = 10_000;
}

/// <summary>A position in a list: the sort key (a time, or none) and the id of the last row of a page.</summary>
public sealed record Cursor(DateTimeOffset? At, string Id)
{
    public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(
            (At is { } at ? at.UtcTicks.ToString(CultureInfo.InvariantCulture) : "") + "|" + Id))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static Cursor? TryParse(string value)
    {
        if (value.Length is 0 or > 400)
        {
            return null;
        }
        try
        {
            var base64 = value.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0 || bar == text.Length - 1)
            {
                return null;
            }
            DateTimeOffset? at = null;
            if (bar > 0)
            {
                if (!long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    || ticks > DateTimeOffset.MaxValue.UtcTicks)
                {
                    return null;
                }
                at = new DateTimeOffset(ticks, TimeSpan.Zero);
            }
            var id = text[(bar + 1)..];
            // Ids are UUIDs, slugs and email addresses: a control character (NUL, which PostgreSQL refuses in text) is a forgery.
            return id.Any(char.IsControl) ? null : new Cursor(at, id);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The order of a list: by <see cref="TimeColumn"/> then <see cref="IdColumn"/> (or the id alone), both
/// the same way, so the next page is one range of an index on (…, time, id).
/// </summary>
public sealed record KeysetOrder(string? TimeColumn, string IdColumn, string IdType, bool Descending = true);

/// <summary>A page: <c>next</c> continues it (null on the last page); <c>total</c> is from counters (null when a filter has none).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long? Total, int Limit, int Offset, string? Next);

/// <summary>The conditions that apply, joined with AND (<c>true</c> when none does).</summary>
public static class Sql
{
    public static string Where(params string?[] conditions) =>
        conditions.Where(c => c is not null).ToList() is { Count: > 0 } all ? string.Join(" AND ", all) : "true";
}

/// <summary>Where a list's total comes from: the sum of some keys of one counter kind (all keys when none).</summary>
public sealed record CounterTotal(string? Tenant, string Kind, params string[] Keys);

/// <summary>The list routes' one query shape: a keyset page of a domain table, its total from counters.</summary>
public static class PagedQuery
{
    /// <summary>
    /// <c>SELECT columns FROM table WHERE where [AND (time, id) &lt; cursor] ORDER BY time, id LIMIT limit + 1</c>:
    /// the extra row says whether there is a next page. Parameters with a null value are sent as SQL NULL.
    /// </summary>
    public static async Task<Page<T>> ReadAsync<T>(NpgsqlDataSource db, string columns, string table, string where, KeysetOrder order,
        Paging page, IReadOnlyList<(string Name, object? Value)> parameters, Func<NpgsqlDataReader, T> read, Func<Task<long?>> total)
        => await ReadAsync(db, columns, table, where, order, page, parameters, read, null, total);

    /// <summary>
    /// As above, with the total read from the counters in the same round trip (one batch of two
    /// statements) when <paramref name="counted"/> is given; a filter without a counter passes null
    /// (total null).
    /// </summary>
    public static async Task<Page<T>> ReadAsync<T>(NpgsqlDataSource db, string columns, string table, string where, KeysetOrder order,
        Paging page, IReadOnlyList<(string Name, object? Value)> parameters, Func<NpgsqlDataReader, T> read, CounterTotal? counted)
        => await ReadAsync(db, columns, table, where, order, page, parameters, read, counted, null);

    private static async Task<Page<T>> ReadAsync<T>(NpgsqlDataSource db, string columns, string table, string where, KeysetOrder order,
        Paging page, IReadOnlyList<(string Name, object? Value)> parameters, Func<NpgsqlDataReader, T> read, CounterTotal? counted,
        Func<Task<long?>>? total)
    {
        if (page.After is { } given && order.IdType == "uuid" && !Guid.TryParse(given.Id, out _))
        {
            throw Actors.Contracts.ActorsException.Invalid("cursor", "must be the 'next' of a page this API answered");
        }
        var direction = order.Descending ? "DESC" : "ASC";
        var compare = order.Descending ? "<" : ">";
        var keyColumns = order.TimeColumn is null ? order.IdColumn : $"{order.TimeColumn}, {order.IdColumn}";
        var sql = new StringBuilder(
            $"SELECT {columns}, {(order.TimeColumn ?? "NULL::timestamptz")} AS page_at, {order.IdColumn}::text AS page_id FROM {table} WHERE {where}");
        if (page.After is { } after)
        {
            sql.Append(order.TimeColumn is null
                ? $" AND {order.IdColumn} {compare} @c_id::{order.IdType}"
                : $" AND ({keyColumns}) {compare} (@c_at, @c_id::{order.IdType})");
        }
        sql.Append(order.TimeColumn is null
            ? $" ORDER BY {table}.{order.IdColumn} {direction}"
            : $" ORDER BY {table}.{order.TimeColumn} {direction}, {table}.{order.IdColumn} {direction}");
        sql.Append(" LIMIT @limit OFFSET @offset");

        await using var batch = db.CreateBatch();
        var command = new NpgsqlBatchCommand(sql.ToString());
        batch.BatchCommands.Add(command);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        if (page.After is { } cursor)
        {
            command.Parameters.AddWithValue("c_id", cursor.Id);
            if (order.TimeColumn is not null)
            {
                command.Parameters.AddWithValue("c_at", cursor.At ?? DateTimeOffset.MaxValue);
            }
        }
        command.Parameters.AddWithValue("limit", page.Limit + 1);
        command.Parameters.AddWithValue("offset", page.Offset);
        if (counted is not null)
        {
            batch.BatchCommands.Add(Counters.SumCommand(counted.Tenant, counted.Kind, counted.Keys));
        }
        var items = new List<T>();
        Cursor? last = null;
        var more = false;
        long? counter = null;
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (items.Count == page.Limit)
                {
                    more = true;
                    continue; // drain the extra row, then the total's result
                }
                items.Add(read(reader));
                var at = reader.IsDBNull(reader.FieldCount - 2) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(reader.FieldCount - 2);
                last = new Cursor(at, reader.GetString(reader.FieldCount - 1));
            }
            if (counted is not null && await reader.NextResultAsync() && await reader.ReadAsync())
            {
                counter = reader.GetInt64(0);
            }
        }
        if (total is not null)
        {
            counter = await total();
        }
        return new Page<T>(items, counter, page.Limit, page.Offset, more ? last!.Encode() : null);
    }
}
