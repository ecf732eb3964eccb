namespace Taifa.Smpp.Pdus;

/// <summary>One optional parameter exactly as it travels: a tag and its raw value.</summary>
public readonly record struct Tlv(ushort Tag, ReadOnlyMemory<byte> Value);

/// <summary>network_error_code TLV (§5.3.2.31): the network type (1 GSM, 2 ANSI-136, 3 IS-95) and its error code.</summary>
public readonly record struct NetworkErrorCode(byte NetworkType, ushort ErrorCode);
