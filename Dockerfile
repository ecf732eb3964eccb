# syntax=docker/dockerfile:1
# Taifa Gateway silo image: docker build -t taifa-gateway .
# One process per container: dotnet Taifa.Silo.dll (HTTP 8080, SMPP 2775, Orleans silo 11111 and gateway
# 30000); "migrate" as the argument applies the database schema and exits.

# The build stage runs on the builder's own platform: the output is portable IL, so one build serves
# every target architecture and the runtime stage needs no emulation.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore first, from the project files alone, so the package layer is reused until a project or a
# package version changes. The Silo and every project it references, nothing else (tests stay out).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Taifa.Domain/Taifa.Domain.csproj src/Taifa.Domain/
COPY src/Taifa.Smpp/Taifa.Smpp.csproj src/Taifa.Smpp/
COPY src/Taifa.Abstractions/Taifa.Abstractions.csproj src/Taifa.Abstractions/
COPY src/Taifa.Grains/Taifa.Grains.csproj src/Taifa.Grains/
COPY src/Taifa.Operators/Taifa.Operators.csproj src/Taifa.Operators/
COPY src/Taifa.Silo/Taifa.Silo.csproj src/Taifa.Silo/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore src/Taifa.Silo/Taifa.Silo.csproj

# The sources, and the schema scripts the Silo embeds as resources.
COPY src/ src/
COPY infra/db/ infra/db/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/Taifa.Silo/Taifa.Silo.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# Runtime: ASP.NET Core only, no SDK. The Debian/Ubuntu-based image brings ICU and tzdata, which the
# gateway needs (culture data, Africa/Nairobi times); a chiseled or Alpine image would need them added.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./

# ASPNETCORE_HTTP_PORTS is cleared so the image's default does not compete with ASPNETCORE_URLS.
# Garbage collection: Server GC (the Web SDK's default) with DATAS sizes its heaps from the container's
# CPU and memory limits, so a 2-core pod gets at most two heaps that shrink when idle; no override here.
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    Taifa__Smpp__Port=2775 \
    Orleans__Endpoints__SiloPort=11111 \
    Orleans__Endpoints__GatewayPort=30000

# HTTP, SMPP, Orleans silo-to-silo, Orleans gateway.
EXPOSE 8080 2775 11111 30000

# The image's unprivileged "app" user (UID 1654); Kubernetes probes /healthz and /ready itself, so the
# image declares no HEALTHCHECK (the image has no curl either).
USER $APP_UID
ENTRYPOINT ["dotnet", "Taifa.Silo.dll"]
