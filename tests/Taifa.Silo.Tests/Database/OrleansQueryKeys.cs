namespace Taifa.Silo.Tests.Database;

/// <summary>
/// The OrleansQuery keys that the Orleans 10.4.2 ADO.NET providers look up (their DbStoredQueries and
/// AdoNetGrainStorage). A provider refuses to start when one of its required keys is missing.
/// </summary>
internal static class OrleansQueryKeys
{
    public static readonly string[] Clustering =
    [
        "GatewaysQueryKey", "MembershipReadRowKey", "MembershipReadAllKey", "InsertMembershipVersionKey",
        "UpdateIAmAlivetimeKey", "InsertMembershipKey", "UpdateMembershipKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
    ];

    public static readonly string[] Persistence =
    [
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
    ];

    public static readonly string[] Reminders =
    [
        "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    public static readonly string[] Streaming =
    [
        "QueueStreamMessageKey", "GetStreamMessagesKey", "ConfirmStreamMessagesKey", "FailStreamMessageKey",
        "EvictStreamMessagesKey", "EvictStreamDeadLettersKey",
    ];

    public static IEnumerable<string> All => [.. Clustering, .. Persistence, .. Reminders, .. Streaming];
}
