namespace Taifa.Domain;
internal static class AssemblyMarker;
