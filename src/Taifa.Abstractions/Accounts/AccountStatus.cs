namespace Taifa.Abstractions.Accounts;

public enum AccountStatus
{
    Active = 0,
    Suspended = 1,
}
