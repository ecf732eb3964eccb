namespace Taifa.Smpp;
internal static class AssemblyMarker;
