namespace Taifa.Domain.Numbers;

/// <summary>A Kenyan mobile operator. <see cref="Id"/> is the network_id the API reports; ids are never reused.</summary>
public sealed record MobileNetwork(int Id, string Name);
