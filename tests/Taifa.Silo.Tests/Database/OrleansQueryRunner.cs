using System.Data;
using Npgsql;

namespace Taifa.Silo.Tests.Database;

/// <summary>
/// Runs a stored OrleansQuery text the way the Orleans providers do: parameters bound by name, with the
/// DbType Orleans' DbExtensions picks for the CLR type (notably DbType.DateTime for every DateTime).
/// </summary>
internal static class OrleansQueryRunner
{
    public static async Task<List<Dictionary<string, object?>>> RunAsync(
        NpgsqlConnection connection, string queryKey, params (string Name, object? Value)[] parameters)
    {
        await using var lookup = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = $1", connection);
        lookup.Parameters.Add(new NpgsqlParameter { Value = queryKey });
        var text = (string?)await lookup.ExecuteScalarAsync()
            ?? throw new InvalidOperationException($"OrleansQuery has no row for '{queryKey}'.");

        await using var command = new NpgsqlCommand(text, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter
            {
                ParameterName = name,
                DbType = value switch
                {
                    DateTime => DbType.DateTime,
                    int => DbType.Int32,
                    long => DbType.Int64,
                    byte[] => DbType.Binary,
                    _ => DbType.String,
                },
                Value = value ?? DBNull.Value,
            });
        }

        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }
        }
        while (await reader.NextResultAsync());

        return rows;
    }
}
