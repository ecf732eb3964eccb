using System.Globalization;
using System.Text.RegularExpressions;

namespace Taifa.Deploy.Tests;

public sealed partial class KubernetesManifestTests
{
    private static readonly TimeSpan ValidationTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Both_overlays_the_monitoring_example_and_the_workflows_validate_strictly()
    {
        // validate.sh installs its validator from npm when missing and exits non-zero with the reason when it
        // cannot: a validator that is not there fails this test rather than skipping it.
        var result = Repository.Run("bash", ["infra/k8s/validate.sh"], ValidationTimeout);

        Assert.True(result.ExitCode == 0, $"infra/k8s/validate.sh failed:\n{result}");
        foreach (var checkedPart in new[] { "overlays/dev", "overlays/prod", "monitoring", ".github/workflows" })
        {
            Assert.Contains($"ok   {checkedPart}:", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_validator_rejects_unknown_fields_missing_required_fields_and_kinds_without_a_schema()
    {
        var directory = Directory.CreateTempSubdirectory("taifa-k8s-invalid-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "kustomization.yaml"), "resources: [objects.yaml]\n");
            File.WriteAllText(Path.Combine(directory.FullName, "objects.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: typo}
                spec:
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      terminationGracePeriod: 40
                      containers: [{name: silo, image: taifa-gateway}]
                ---
                apiVersion: autoscaling/v2
                kind: HorizontalPodAutoscaler
                metadata: {name: incomplete}
                spec: {minReplicas: 1}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: unknown}
                """);

            var result = Repository.Run("bash", ["infra/k8s/validate.sh", directory.FullName], ValidationTimeout);

            Assert.True(result.ExitCode != 0, $"validate.sh accepted invalid objects:\n{result}");
            Assert.Contains("/spec/template/spec/terminationGracePeriod: unknown field", result.Error, StringComparison.Ordinal);
            Assert.Contains("must have required property scaleTargetRef", result.Error, StringComparison.Ordinal);
            Assert.Contains("no schema for apiVersion example.com/v1, kind Widget", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_grace_period_covers_the_prestop_pause_and_the_silos_drain()
    {
        var deployment = Repository.Read("infra/k8s/base/deployment.yaml");
        var grace = int.Parse(GracePeriod().Match(deployment).Groups[1].Value, CultureInfo.InvariantCulture);
        var preStop = int.Parse(PreStopSleep().Match(deployment).Groups[1].Value, CultureInfo.InvariantCulture);
        var drain = TimeSpan.Parse(ShutdownTimeout().Match(Repository.Read("infra/k8s/base/kustomization.yaml")).Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.True(grace > preStop + drain.TotalSeconds, $"terminationGracePeriodSeconds {grace} must exceed preStop {preStop} s + Taifa__ShutdownTimeout {drain.TotalSeconds} s");
    }

    [Fact]
    public void The_pods_carry_the_orleans_labels_and_may_do_what_orleans_kubernetes_hosting_does()
    {
        var deployment = Repository.Read("infra/k8s/base/deployment.yaml");
        Assert.Matches(@"orleans/serviceId: \S+", deployment);
        Assert.Matches(@"orleans/clusterId: \S+", deployment);
        foreach (var variable in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID", "Orleans__Endpoints__AdvertisedIPAddress" })
        {
            Assert.Contains($"- name: {variable}\n", deployment, StringComparison.Ordinal);
        }

        // The agent reads its own pod, patches its labels when they differ, lists and watches the cluster's
        // pods, and deletes the pod of a silo declared dead.
        var verbs = Verbs().Match(Repository.Read("infra/k8s/base/role.yaml")).Groups[1].Value;
        foreach (var verb in new[] { "get", "list", "watch", "patch", "delete" }) Assert.Contains($"\"{verb}\"", verbs, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"terminationGracePeriodSeconds:\s*(\d+)")]
    private static partial Regex GracePeriod();

    [GeneratedRegex(@"preStop:[\s\S]*?seconds:\s*(\d+)")]
    private static partial Regex PreStopSleep();

    [GeneratedRegex(@"Taifa__ShutdownTimeout=(\S+)")]
    private static partial Regex ShutdownTimeout();

    [GeneratedRegex(@"verbs:\s*\[([^\]]*)\]")]
    private static partial Regex Verbs();
}
