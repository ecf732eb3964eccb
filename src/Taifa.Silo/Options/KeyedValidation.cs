using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Taifa.Silo.Options;

/// <summary>
/// The data annotations of an options class and of every object below it that is marked
/// <see cref="ValidateObjectMembersAttribute"/> (or each item of a collection marked
/// <see cref="ValidateEnumeratedItemsAttribute"/>), which ValidateDataAnnotations alone would not look into. Each
/// failure names its configuration key, such as "Taifa:Smpp:Tls:Port", so a refused start says what to fix.
/// </summary>
public sealed class KeyedValidation<T>(string section) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Collect(options, section, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Collect(object target, string key, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.DefaultIfEmpty("");
            failures.AddRange(members.Select(member => $"{(member.Length == 0 ? key : $"{key}:{member}")}: {result.ErrorMessage}"));
        }

        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetValue(target) is not { } value) continue;
            var propertyKey = $"{key}:{property.Name}";
            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)))
            {
                Collect(value, propertyKey, failures);
            }
            else if (property.IsDefined(typeof(ValidateEnumeratedItemsAttribute)))
            {
                if (value is IDictionary entries)
                {
                    foreach (DictionaryEntry entry in entries)
                    {
                        if (entry.Value is not null) Collect(entry.Value, $"{propertyKey}:{entry.Key}", failures);
                    }
                }
                else if (value is IEnumerable items)
                {
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (item is not null) Collect(item, $"{propertyKey}:{index}", failures);
                        index++;
                    }
                }
            }
        }
    }
}

public static class KeyedValidationExtensions
{
    /// <summary>Binds <paramref name="section"/>, validates it with <see cref="KeyedValidation{T}"/> and does so on start.</summary>
    public static OptionsBuilder<T> BindValidated<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new KeyedValidation<T>(section));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }
}
