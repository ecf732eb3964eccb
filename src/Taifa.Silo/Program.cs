using Serilog;
using Taifa.Silo.Hosting;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddTaifa();
    var app = builder.Build();

    if (args.Contains("migrate"))
    {
        await app.MigrateDatabaseAsync();
        return 0;
    }

    await app.PrepareDatabaseAsync();
    app.UseTaifa();
    await app.RunAsync();
    return 0;
}
catch (Exception exception) when (exception is not HostAbortedException)
{
    Log.Fatal(exception, "Taifa Gateway stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

public partial class Program;
