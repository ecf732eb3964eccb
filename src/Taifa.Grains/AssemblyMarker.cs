namespace Taifa.Grains;
internal static class AssemblyMarker;
