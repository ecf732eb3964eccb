namespace Taifa.Abstractions;
internal static class AssemblyMarker;
