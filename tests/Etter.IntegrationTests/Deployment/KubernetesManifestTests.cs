using System.Globalization;
using System.Text.RegularExpressions;
using Etter.TestSupport;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Etter.IntegrationTests.Deployment;

/// <summary>
/// The Kubernetes manifests under deploy/k8s, read as YAML (every file, every document). No cluster runs
/// here or in CI, so these tests check the invariants a reviewer would: probes, resources, security
/// settings, a disruption budget and a Service per Deployment, secrets only by reference, images that
/// docker-compose.yml knows how to build, and a kustomization that lists every file. When kubectl is
/// installed, `kubectl kustomize` (offline) must build the folder too; without it that one test is reported
/// as skipped, with the reason.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    const string Namespace = "etter";
    const string ConfigMapName = "etter-config";
    const string SecretName = "etter-secrets";
    const string HealthPath = "/health";
    const string HttpPortName = "http";
    const int HttpPort = 8080;
    const string OrchestratorProject = "Etter.Orchestrator";
    const string AiAssessmentProject = "Etter.AiAssessment";
    const string MigrateOnlyVariable = "Etter__Orchestrator__MigrateOnly";

    static readonly string[] JobRestartPolicies = ["Never", "OnFailure"];

    static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];

    /// <summary>Settings whose names do not say so but whose values carry a password.</summary>
    static readonly string[] SecretBearingSettings = ["Etter__Redis__Configuration"];

    static string ManifestDirectory => Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    static string KustomizationFile => Path.Combine(ManifestDirectory, "kustomization.yaml");

    static string SecretsExampleFile => Path.Combine(ManifestDirectory, "secrets.example.md");

    static string ComposeFile => Path.Combine(RepositoryPaths.Root, "docker-compose.yml");

    // --- The folder and its kustomization --------------------------------------------------------------

    [Fact]
    public void ManifestFolder_ParsesIntoNamedKubernetesObjects()
    {
        Assert.True(Directory.Exists(ManifestDirectory), $"{ManifestDirectory} does not exist");
        Assert.NotEmpty(YamlFiles());

        var problems = new List<string>();
        foreach (var manifest in Manifests.Value)
        {
            foreach (var field in new[] { "apiVersion", "kind" })
            {
                if (string.IsNullOrWhiteSpace(Text(manifest.Root, field)))
                {
                    problems.Add($"{manifest.Location}: no {field}");
                }
            }

            if (manifest.Kind != "Kustomization" && !DnsLabel().IsMatch(manifest.Name))
            {
                problems.Add($"{manifest.Location}: metadata.name '{manifest.Name}' is not a DNS-1123 name");
            }

            var ns = Text(manifest.Root, "metadata", "namespace");
            if (ns is not null && ns != Namespace)
            {
                problems.Add($"{manifest.Describe}: namespace '{ns}', expected '{Namespace}'");
            }
        }

        foreach (var duplicate in Objects().GroupBy(m => (m.Kind, m.Name)).Where(g => g.Count() > 1))
        {
            problems.Add($"{duplicate.Key.Kind}/{duplicate.Key.Name} is defined {duplicate.Count()} times: {string.Join(", ", duplicate.Select(d => d.Location))}");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Kustomization_ListsEveryYamlFileInTheFolder()
    {
        var kustomization = Kustomization();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var entry in Items(Node(kustomization, "resources")).Select(ScalarValue).OfType<string>())
        {
            var path = Path.GetFullPath(entry, ManifestDirectory);
            if (Directory.Exists(path))
            {
                listed.UnionWith(YamlFilesUnder(path).Select(RelativeToManifests));
            }
            else if (File.Exists(path))
            {
                listed.Add(RelativeToManifests(path));
            }
            else
            {
                problems.Add($"kustomization.yaml lists '{entry}', which does not exist");
            }
        }

        var present = YamlFiles().Select(RelativeToManifests).Where(f => f != "kustomization.yaml").ToHashSet(StringComparer.Ordinal);
        problems.AddRange(present.Except(listed).Order(StringComparer.Ordinal).Select(f => $"{f} is not listed in kustomization.yaml's resources"));
        problems.AddRange(listed.Except(present).Order(StringComparer.Ordinal).Select(f => $"kustomization.yaml lists {f}, which is not a YAML file of this folder"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Kustomization_PutsEverythingInTheEtterNamespace()
    {
        Assert.Equal(Namespace, Text(Kustomization(), "namespace"));
        Assert.Contains(Objects(), m => m.Kind == "Namespace" && m.Name == Namespace);
    }

    // --- Images and the compose services they come from ------------------------------------------------

    [Fact]
    public void Deployments_RunEachComposeServiceOnceWithTwoOrMoreReplicas()
    {
        var compose = ComposeImages.Value;
        var deployed = Deployments()
            .SelectMany(d => Containers(d).Select(c => (Deployment: d, Repository: ImageRepository(Text(c, "image") ?? ""))))
            .ToList();

        Assert.Equal(
            compose.Keys.Order(StringComparer.Ordinal),
            deployed.Select(d => d.Repository).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

        foreach (var group in deployed.GroupBy(d => d.Repository, StringComparer.Ordinal))
        {
            var deployment = Assert.Single(group.Select(g => g.Deployment).Distinct());
            var replicas = Int(deployment.Root, "spec", "replicas") ?? 1;
            Assert.True(replicas >= 2, $"{deployment.Describe} runs {replicas} replica(s); at least 2 keep the service up through a disruption");
        }
    }

    [Fact]
    public void Images_AreComposeImagesBuiltFromExistingProjects()
    {
        var compose = ComposeImages.Value;
        var problems = new List<string>();
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var workload in Workloads())
        {
            foreach (var container in AllContainers(workload))
            {
                var image = Text(container, "image") ?? "";
                var repository = ImageRepository(image);
                var tag = image.Length > repository.Length ? image[(repository.Length + 1)..] : "";
                if (!compose.TryGetValue(repository, out var project))
                {
                    problems.Add($"{workload.Describe}: image '{image}' is none of the compose images ({string.Join(", ", compose.Keys)})");
                    continue;
                }

                if (tag.Length == 0 || tag == "latest")
                {
                    problems.Add($"{workload.Describe}: image '{image}' needs a fixed tag (not empty, not latest)");
                }

                tags.Add(tag);
                var csproj = Path.Combine(RepositoryPaths.Root, "services", project.Project, $"{project.Project}.csproj");
                if (!File.Exists(csproj))
                {
                    problems.Add($"{workload.Describe}: {repository} is built from SERVICE={project.Project}, but {csproj} does not exist");
                }

                if (!File.Exists(project.Dockerfile))
                {
                    problems.Add($"{workload.Describe}: {repository} is built by {project.Dockerfile}, which does not exist");
                }
                else if (!File.ReadAllText(project.Dockerfile).Contains("services/${SERVICE}/${SERVICE}.csproj", StringComparison.Ordinal))
                {
                    problems.Add($"{project.Dockerfile} no longer builds services/${{SERVICE}}/${{SERVICE}}.csproj, which the image mapping relies on");
                }
            }
        }

        if (tags.Count > 1)
        {
            problems.Add($"the Etter images use different tags ({string.Join(", ", tags)}); release them together");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // --- Pods: probes, resources, security, shutdown ---------------------------------------------------

    [Fact]
    public void EveryDeployment_ProbesHealthForReadinessAndLiveness()
    {
        var problems = new List<string>();
        foreach (var deployment in Deployments())
        {
            foreach (var container in Containers(deployment))
            {
                var where = $"{deployment.Describe}, container {Text(container, "name")}";
                if (!Items(Node(container, "ports")).Any(p => Text(p, "name") == HttpPortName && Int(p, "containerPort") == HttpPort))
                {
                    problems.Add($"{where}: no container port {HttpPort} named {HttpPortName}");
                }

                foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                {
                    var httpGet = Node(container, probe, "httpGet");
                    if (httpGet is null)
                    {
                        problems.Add($"{where}: no {probe} with httpGet");
                        continue;
                    }

                    if (Text(httpGet, "path") != HealthPath)
                    {
                        problems.Add($"{where}: {probe} checks '{Text(httpGet, "path")}', not {HealthPath}");
                    }

                    var port = Text(httpGet, "port");
                    if (port != HttpPortName && port != HttpPort.ToString(CultureInfo.InvariantCulture))
                    {
                        problems.Add($"{where}: {probe} uses port '{port}', not {HttpPortName} ({HttpPort})");
                    }
                }

                // Liveness must tolerate longer than readiness: /health is 503 while a dependency is down,
                // which should take a pod out of its Service long before it gets restarted.
                var readiness = FailureWindowSeconds(Node(container, "readinessProbe"));
                var liveness = FailureWindowSeconds(Node(container, "livenessProbe"));
                if (liveness <= readiness)
                {
                    problems.Add($"{where}: liveness fails after {liveness} s, readiness after {readiness} s; liveness must be more lenient");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryContainer_RequestsAndLimitsCpuAndMemory()
    {
        var problems = new List<string>();
        foreach (var workload in Workloads())
        {
            foreach (var container in AllContainers(workload))
            {
                var where = $"{workload.Describe}, container {Text(container, "name")}";
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    var request = Text(container, "resources", "requests", resource);
                    var limit = Text(container, "resources", "limits", resource);
                    if (string.IsNullOrWhiteSpace(request) || string.IsNullOrWhiteSpace(limit))
                    {
                        problems.Add($"{where}: {resource} needs both a request and a limit (request '{request}', limit '{limit}')");
                    }
                    else if (Quantity(request) is not { } r || Quantity(limit) is not { } l)
                    {
                        problems.Add($"{where}: {resource} request '{request}' or limit '{limit}' is not a quantity");
                    }
                    else if (r > l)
                    {
                        problems.Add($"{where}: {resource} request {request} exceeds its limit {limit}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryPod_RunsAsNonRootWithoutPrivilegesOnAReadOnlyRoot()
    {
        var problems = new List<string>();
        foreach (var workload in Workloads())
        {
            var pod = PodSpec(workload)!;
            var emptyDirs = Items(Node(pod, "volumes")).Where(v => Node(v, "emptyDir") is not null).Select(v => Text(v, "name")).ToHashSet(StringComparer.Ordinal);
            foreach (var container in AllContainers(workload))
            {
                var where = $"{workload.Describe}, container {Text(container, "name")}";
                var runAsNonRoot = Text(container, "securityContext", "runAsNonRoot") ?? Text(pod, "securityContext", "runAsNonRoot");
                if (runAsNonRoot != "true")
                {
                    problems.Add($"{where}: runAsNonRoot is not true (pod or container securityContext)");
                }

                if (Text(container, "securityContext", "allowPrivilegeEscalation") != "false")
                {
                    problems.Add($"{where}: securityContext.allowPrivilegeEscalation must be false");
                }

                if (Text(container, "securityContext", "privileged") == "true")
                {
                    problems.Add($"{where}: runs privileged");
                }

                if (!Items(Node(container, "securityContext", "capabilities", "drop")).Select(ScalarValue).Contains("ALL"))
                {
                    problems.Add($"{where}: securityContext.capabilities.drop must contain ALL");
                }

                if (Text(container, "securityContext", "readOnlyRootFilesystem") != "true")
                {
                    problems.Add($"{where}: securityContext.readOnlyRootFilesystem must be true (give writable paths an emptyDir)");
                }
                else if (!Items(Node(container, "volumeMounts")).Any(m => Text(m, "mountPath") == "/tmp" && emptyDirs.Contains(Text(m, "name") ?? "")))
                {
                    problems.Add($"{where}: the root file system is read-only but /tmp is not an emptyDir mount; .NET needs a writable /tmp");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryDeployment_GetsAGracePeriodAndAiAssessmentTheLongest()
    {
        var aiAssessmentImage = ComposeImages.Value.Single(i => i.Value.Project == AiAssessmentProject).Key;
        var periods = Deployments().ToDictionary(d => d, d => Int(PodSpec(d), "terminationGracePeriodSeconds"));

        var problems = periods
            .Where(p => p.Value is null or < 30)
            .Select(p => $"{p.Key.Describe}: terminationGracePeriodSeconds is {p.Value?.ToString(CultureInfo.InvariantCulture) ?? "unset (30)"}; set 30 or more explicitly")
            .ToList();

        var aiAssessment = Assert.Single(periods.Keys, d => Containers(d).Any(c => ImageRepository(Text(c, "image") ?? "") == aiAssessmentImage));
        foreach (var (deployment, period) in periods.Where(p => p.Key != aiAssessment))
        {
            if (periods[aiAssessment] is not { } longest || longest <= (period ?? 30))
            {
                problems.Add($"{aiAssessment.Describe} must get a longer grace period than {deployment.Describe} ({periods[aiAssessment]} vs {period}): its runs finish in the background");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // --- What selects the pods: PodDisruptionBudgets, Services, autoscalers, ingresses -------------------

    [Fact]
    public void EveryDeployment_HasExactlyOneDisruptionBudgetThatAllowsAnEviction()
    {
        var budgets = Objects().Where(m => m.Kind == "PodDisruptionBudget").ToList();
        var problems = new List<string>();
        foreach (var deployment in Deployments())
        {
            var labels = PodLabels(deployment);
            if (!Selects(Node(deployment.Root, "spec", "selector"), labels))
            {
                problems.Add($"{deployment.Describe}: spec.selector does not match its own pod template labels");
            }

            var matching = budgets.Where(b => Selects(Node(b.Root, "spec", "selector"), labels)).ToList();
            if (matching.Count != 1)
            {
                // The eviction API refuses pods covered by more than one budget.
                problems.Add($"{deployment.Describe}: {matching.Count} PodDisruptionBudgets select its pods ({string.Join(", ", matching.Select(b => b.Name))}); expected exactly one");
                continue;
            }

            var budget = matching[0];
            var replicas = Int(deployment.Root, "spec", "replicas") ?? 1;
            var maxUnavailable = Int(budget.Root, "spec", "maxUnavailable");
            var minAvailable = Int(budget.Root, "spec", "minAvailable");
            if (maxUnavailable is null && minAvailable is null)
            {
                problems.Add($"{budget.Describe}: sets neither minAvailable nor maxUnavailable (as whole numbers)");
            }
            else if (maxUnavailable is < 1 || minAvailable >= replicas || minAvailable < 1)
            {
                problems.Add($"{budget.Describe}: with {replicas} replicas (minAvailable {minAvailable}, maxUnavailable {maxUnavailable}) it either blocks every node drain or protects nothing");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryDeployment_HasAClusterIpServiceSelectingItsHttpPort()
    {
        var services = Objects().Where(m => m.Kind == "Service" && Text(m.Root, "spec", "type") is null or "ClusterIP").ToList();
        var problems = new List<string>();
        foreach (var deployment in Deployments())
        {
            var labels = PodLabels(deployment);
            var ports = Containers(deployment).SelectMany(c => Items(Node(c, "ports"))).ToList();
            var matching = services
                .Where(s => Node(s.Root, "spec", "selector") is YamlMappingNode selector && selector.Children.Count > 0
                    && Entries(selector).All(e => labels.TryGetValue(e.Key, out var v) && v == ScalarValue(e.Value)))
                .ToList();
            if (matching.Count == 0)
            {
                problems.Add($"{deployment.Describe}: no ClusterIP Service selects its pods");
                continue;
            }

            foreach (var service in matching)
            {
                foreach (var port in Items(Node(service.Root, "spec", "ports")))
                {
                    var target = Text(port, "targetPort") ?? Text(port, "port");
                    if (!ports.Any(p => Text(p, "name") == target || Text(p, "containerPort") == target))
                    {
                        problems.Add($"{service.Describe}: targetPort '{target}' is no container port of {deployment.Describe}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Autoscalers_ScaleExistingDeploymentsAboveTheirBudgets()
    {
        var deployments = Deployments().ToDictionary(d => d.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var hpa in Objects().Where(m => m.Kind == "HorizontalPodAutoscaler"))
        {
            if (Text(hpa.Root, "apiVersion") != "autoscaling/v2")
            {
                problems.Add($"{hpa.Describe}: use autoscaling/v2");
            }

            var target = Text(hpa.Root, "spec", "scaleTargetRef", "name") ?? "";
            if (Text(hpa.Root, "spec", "scaleTargetRef", "kind") != "Deployment" || !deployments.ContainsKey(target))
            {
                problems.Add($"{hpa.Describe}: scales '{target}', which is not a Deployment here");
            }

            var min = Int(hpa.Root, "spec", "minReplicas") ?? 1;
            var max = Int(hpa.Root, "spec", "maxReplicas") ?? 0;
            if (min < 2 || max < min)
            {
                problems.Add($"{hpa.Describe}: minReplicas {min} (at least 2, so the disruption budget can allow an eviction), maxReplicas {max}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Ingresses_RouteToExistingServicePorts()
    {
        var services = Objects().Where(m => m.Kind == "Service").ToDictionary(s => s.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var ingress in Objects().Where(m => m.Kind == "Ingress"))
        {
            var backends = Items(Node(ingress.Root, "spec", "rules"))
                .SelectMany(r => Items(Node(r, "http", "paths")))
                .Select(p => Node(p, "backend", "service"))
                .Append(Node(ingress.Root, "spec", "defaultBackend", "service"))
                .OfType<YamlMappingNode>();
            foreach (var backend in backends)
            {
                var name = Text(backend, "name") ?? "";
                var port = Text(backend, "port", "name") ?? Text(backend, "port", "number");
                if (!services.TryGetValue(name, out var service))
                {
                    problems.Add($"{ingress.Describe}: backend Service '{name}' does not exist");
                }
                else if (!Items(Node(service.Root, "spec", "ports")).Any(p => Text(p, "name") == port || Text(p, "port") == port))
                {
                    problems.Add($"{ingress.Describe}: Service {name} has no port '{port}'");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // --- Configuration and secrets ---------------------------------------------------------------------

    [Fact]
    public void Secrets_AreReferencedButNeverCommitted()
    {
        var problems = new List<string>();
        foreach (var secret in Objects().Where(m => m.Kind == "Secret"))
        {
            foreach (var field in new[] { "data", "stringData" })
            {
                if (Node(secret.Root, field) is YamlMappingNode values && Entries(values).Any(e => !string.IsNullOrEmpty(ScalarValue(e.Value))))
                {
                    problems.Add($"{secret.Describe}: carries {field} values; commit placeholders in secrets.example.md instead");
                }
            }
        }

        foreach (var generator in Items(Node(Kustomization(), "secretGenerator")))
        {
            if (Node(generator, "literals") is not null)
            {
                problems.Add($"kustomization.yaml: secretGenerator {Text(generator, "name")} has literals");
            }

            foreach (var file in Items(Node(generator, "files")).Concat(Items(Node(generator, "envs"))).Select(ScalarValue).OfType<string>())
            {
                var path = Path.GetFullPath(file.Split('=').Last(), ManifestDirectory);
                if (File.Exists(path))
                {
                    problems.Add($"kustomization.yaml: secretGenerator {Text(generator, "name")} reads {file}, a file in the repository");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void SensitiveVariables_ComeFromSecretKeyRefsOnly()
    {
        var problems = new List<string>();
        foreach (var workload in Workloads())
        {
            foreach (var container in AllContainers(workload))
            {
                foreach (var variable in Items(Node(container, "env")))
                {
                    var name = Text(variable, "name") ?? "";
                    var value = Text(variable, "value");
                    var where = $"{workload.Describe}, container {Text(container, "name")}, env {name}";
                    if (IsSensitive(name) && Node(variable, "valueFrom", "secretKeyRef") is null)
                    {
                        problems.Add($"{where}: must come from a secretKeyRef{(value is null ? "" : ", not a literal value")}");
                    }

                    if (value is not null && InlinePassword().IsMatch(value))
                    {
                        problems.Add($"{where}: the literal value contains a password");
                    }
                }
            }
        }

        foreach (var configMap in Objects().Where(m => m.Kind == "ConfigMap"))
        {
            foreach (var (key, value) in Entries(Node(configMap.Root, "data")))
            {
                if (IsSensitive(key))
                {
                    problems.Add($"{configMap.Describe}: {key} belongs in the Secret, not a ConfigMap");
                }

                if (InlinePassword().IsMatch(ScalarValue(value) ?? ""))
                {
                    problems.Add($"{configMap.Describe}: {key} contains a password");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void SecretReferences_NameOneSecretWhoseRequiredKeysAreDocumented()
    {
        Assert.True(File.Exists(SecretsExampleFile), $"{SecretsExampleFile} is missing: document how to create {SecretName}");
        var example = File.ReadAllText(SecretsExampleFile);
        Assert.Contains($"create secret generic {SecretName}", example, StringComparison.Ordinal);

        var problems = new List<string>();
        var required = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var workload in Workloads())
        {
            foreach (var container in AllContainers(workload))
            {
                var references = Items(Node(container, "env")).Select(e => Node(e, "valueFrom", "secretKeyRef"))
                    .Concat(Items(Node(container, "envFrom")).Select(e => Node(e, "secretRef")))
                    .OfType<YamlMappingNode>();
                foreach (var reference in references)
                {
                    if (Text(reference, "name") != SecretName)
                    {
                        problems.Add($"{workload.Describe}: references Secret '{Text(reference, "name")}', expected {SecretName}");
                    }

                    if (Text(reference, "key") is { } key && Text(reference, "optional") != "true")
                    {
                        required.Add(key);
                    }
                }
            }
        }

        problems.AddRange(required.Where(k => !example.Contains($"--from-literal={k}=", StringComparison.Ordinal))
            .Select(k => $"{SecretName} key '{k}' is required by the manifests but secrets.example.md's command does not set it (--from-literal={k}=...)"));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EveryWorkload_ReadsTheDistributedConfigMap()
    {
        var configMap = Assert.Single(Objects(), m => m.Kind == "ConfigMap" && m.Name == ConfigMapName);
        Assert.Equal("Distributed", Text(configMap.Root, "data", "Etter__Mode"));
        Assert.False(string.IsNullOrWhiteSpace(Text(configMap.Root, "data", "Etter__Assessment__DefaultEngine")), "Etter__Assessment__DefaultEngine is not set");

        var problems = new List<string>();
        foreach (var workload in Workloads())
        {
            foreach (var container in AllContainers(workload))
            {
                if (!Items(Node(container, "envFrom")).Any(e => Text(e, "configMapRef", "name") == ConfigMapName))
                {
                    problems.Add($"{workload.Describe}, container {Text(container, "name")}: no envFrom configMapRef {ConfigMapName}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ExternalServices_NameRabbitMqPostgresAndRedisAndTheConfigUsesThem()
    {
        var services = Objects().Where(m => m.Kind == "Service").ToDictionary(s => s.Name, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var name in new[] { "rabbitmq", "postgres", "redis" })
        {
            if (!services.TryGetValue(name, out var service))
            {
                problems.Add($"no Service '{name}' for the external {name}");
            }
            else if (Text(service.Root, "spec", "type") == "ExternalName" && string.IsNullOrWhiteSpace(Text(service.Root, "spec", "externalName")))
            {
                problems.Add($"{service.Describe}: ExternalName without spec.externalName");
            }
        }

        var configMap = Objects().Single(m => m.Kind == "ConfigMap" && m.Name == ConfigMapName);
        var host = Text(configMap.Root, "data", "Etter__RabbitMq__Host") ?? "";
        var shortName = host.Split('.')[0];
        if (!services.ContainsKey(shortName) || (host.Contains('.', StringComparison.Ordinal) && !host.StartsWith($"{shortName}.{Namespace}", StringComparison.Ordinal)))
        {
            problems.Add($"{configMap.Describe}: Etter__RabbitMq__Host '{host}' is not one of the Services here");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // --- The migration Job -------------------------------------------------------------------------------

    [Fact]
    public void MigrationJob_RunsTheOrchestratorImageOnlyToMigrate()
    {
        Assert.True(File.Exists(Path.Combine(ManifestDirectory, "orchestrator-migrate-job.yaml")), "deploy/k8s/orchestrator-migrate-job.yaml is missing");
        var orchestratorImage = ComposeImages.Value.Single(i => i.Value.Project == OrchestratorProject).Key;

        var job = Assert.Single(Objects(), m => m.Kind == "Job" && Containers(m).Any(c => ImageRepository(Text(c, "image") ?? "") == orchestratorImage));
        var container = Assert.Single(Containers(job));
        Assert.Equal("orchestrator-migrate-job.yaml", Path.GetFileName(job.File));
        Assert.Contains(Text(PodSpec(job), "restartPolicy"), JobRestartPolicies);
        Assert.NotNull(Int(job.Root, "spec", "backoffLimit"));

        var env = Items(Node(container, "env")).ToDictionary(e => Text(e, "name") ?? "", StringComparer.Ordinal);
        Assert.True(env.TryGetValue(MigrateOnlyVariable, out var migrateOnly), $"{job.Describe} does not set {MigrateOnlyVariable}");
        Assert.Equal("true", Text(migrateOnly, "value"), ignoreCase: true);

        // The same configuration and secrets as the orchestrator itself, so it migrates the same database.
        var deployment = Assert.Single(Deployments(), d => Containers(d).Any(c => ImageRepository(Text(c, "image") ?? "") == orchestratorImage));
        foreach (var orchestrator in Containers(deployment))
        {
            foreach (var reference in Items(Node(orchestrator, "envFrom")))
            {
                var name = Text(reference, "configMapRef", "name") ?? Text(reference, "secretRef", "name");
                Assert.True(Items(Node(container, "envFrom")).Any(r => (Text(r, "configMapRef", "name") ?? Text(r, "secretRef", "name")) == name),
                    $"{job.Describe} lacks the orchestrator's envFrom {name}");
            }

            foreach (var variable in Items(Node(orchestrator, "env")).Where(e => Node(e, "valueFrom", "secretKeyRef") is not null))
            {
                var name = Text(variable, "name") ?? "";
                Assert.True(env.TryGetValue(name, out var mine) && Text(mine, "valueFrom", "secretKeyRef", "key") == Text(variable, "valueFrom", "secretKeyRef", "key"),
                    $"{job.Describe} does not take {name} from the same secret key as {deployment.Describe}");
            }
        }
    }

    [Fact]
    public void StatusWriters_TakeTheRedisConfigurationFromTheSecret()
    {
        // The orchestrator writes status to Redis through its outbox; the API reads it. Neither starts without it.
        foreach (var name in new[] { "orchestrator", "api" })
        {
            var deployment = Assert.Single(Deployments(), d => d.Name == name);
            foreach (var container in Containers(deployment))
            {
                var redis = Items(Node(container, "env")).SingleOrDefault(e => Text(e, "name") == "Etter__Redis__Configuration");
                Assert.True(redis is not null, $"{deployment.Describe} gets no Etter__Redis__Configuration");
                Assert.Equal("redis-configuration", Text(redis, "valueFrom", "secretKeyRef", "key"));
            }
        }
    }

    // --- kubectl, when present ----------------------------------------------------------------------------

    [SkippableFact]
    public async Task Kustomize_BuildsTheFolder_WhenKubectlIsInstalled()
    {
        // kubectl is optional (CI does not install it): without it this test is reported as skipped, never as passed.
        var kubectl = ToolProcess.FindOnPath("kubectl");
        Skip.If(kubectl is null, "kubectl is not installed; `kubectl kustomize deploy/k8s` was not run (the YAML checks above still apply).");

        var result = await ToolProcess.RunAsync(kubectl, ["kustomize", ManifestDirectory], TimeSpan.FromSeconds(60), RepositoryPaths.Root);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize exited with {result.ExitCode}:{Environment.NewLine}{result.StdErr}");

        var built = Documents(new StringReader(result.StdOut)).ToList();
        Assert.Equal(
            Objects().Select(m => $"{m.Kind}/{m.Name}").Order(StringComparer.Ordinal),
            built.Select(d => $"{Text(d, "kind")}/{Text(d, "metadata", "name")}").Order(StringComparer.Ordinal));
        Assert.All(built.Where(d => Text(d, "kind") != "Namespace"), d => Assert.Equal(Namespace, Text(d, "metadata", "namespace")));
    }

    // --- Reading the manifests ----------------------------------------------------------------------------

    sealed record Manifest(string File, int Document, YamlMappingNode Root)
    {
        public string Kind => Text(Root, "kind") ?? "";

        public string Name => Text(Root, "metadata", "name") ?? "";

        public string Location => $"{RelativeToManifests(File)} (document {Document})";

        public string Describe => $"{Kind}/{Name} in {Location}";
    }

    static readonly Lazy<List<Manifest>> Manifests = new(LoadManifests);

    static List<Manifest> LoadManifests()
    {
        var manifests = new List<Manifest>();
        foreach (var file in YamlFiles())
        {
            using var reader = File.OpenText(file);
            List<YamlMappingNode> documents;
            try
            {
                documents = [.. Documents(reader)];
            }
            catch (YamlException e)
            {
                throw new InvalidOperationException($"{RelativeToManifests(file)} is not valid YAML: {e.Message}", e);
            }

            manifests.AddRange(documents.Select((root, index) => new Manifest(file, index + 1, root)));
        }

        return manifests;
    }

    /// <summary>Every non-empty document of a (multi-document) YAML stream; each must be a mapping.</summary>
    static IEnumerable<YamlMappingNode> Documents(TextReader reader)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        foreach (var document in stream.Documents)
        {
            switch (document.RootNode)
            {
                case YamlMappingNode mapping:
                    yield return mapping;
                    break;
                case YamlScalarNode { Value: null or "" }:
                    break;
                default:
                    throw new InvalidOperationException($"a document at {document.RootNode.Start} is not a mapping");
            }
        }
    }

    static List<string> YamlFiles() => YamlFilesUnder(ManifestDirectory);

    static List<string> YamlFilesUnder(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    static string RelativeToManifests(string path) => Path.GetRelativePath(ManifestDirectory, path).Replace('\\', '/');

    /// <summary>Kubernetes objects (the kustomization itself is configuration, not an object).</summary>
    static IEnumerable<Manifest> Objects() => Manifests.Value.Where(m => m.Kind != "Kustomization");

    static YamlMappingNode Kustomization()
    {
        Assert.True(File.Exists(KustomizationFile), $"{KustomizationFile} is missing");
        return Assert.Single(Manifests.Value, m => m.File == KustomizationFile).Root;
    }

    static IEnumerable<Manifest> Workloads() => Objects().Where(m => WorkloadKinds.Contains(m.Kind, StringComparer.Ordinal));

    static IEnumerable<Manifest> Deployments() => Objects().Where(m => m.Kind == "Deployment");

    static YamlNode? PodTemplate(Manifest workload) => workload.Kind == "CronJob"
        ? Node(workload.Root, "spec", "jobTemplate", "spec", "template")
        : Node(workload.Root, "spec", "template");

    static YamlNode? PodSpec(Manifest workload) => Node(PodTemplate(workload), "spec");

    static IEnumerable<YamlNode> Containers(Manifest workload) => Items(Node(PodSpec(workload), "containers"));

    static IEnumerable<YamlNode> AllContainers(Manifest workload) =>
        Containers(workload).Concat(Items(Node(PodSpec(workload), "initContainers")));

    static Dictionary<string, string> PodLabels(Manifest workload) =>
        Entries(Node(PodTemplate(workload), "metadata", "labels")).ToDictionary(e => e.Key, e => ScalarValue(e.Value) ?? "", StringComparer.Ordinal);

    /// <summary>A LabelSelector (matchLabels and matchExpressions) against a pod's labels; an empty or missing selector selects nothing here.</summary>
    static bool Selects(YamlNode? selector, Dictionary<string, string> labels)
    {
        var matchLabels = Entries(Node(selector, "matchLabels")).ToList();
        var expressions = Items(Node(selector, "matchExpressions")).ToList();
        if (matchLabels.Count == 0 && expressions.Count == 0)
        {
            return false;
        }

        return matchLabels.All(e => labels.TryGetValue(e.Key, out var v) && v == ScalarValue(e.Value))
            && expressions.All(e =>
            {
                var key = Text(e, "key") ?? "";
                var values = Items(Node(e, "values")).Select(ScalarValue).ToList();
                var has = labels.TryGetValue(key, out var value);
                return Text(e, "operator") switch
                {
                    "In" => has && values.Contains(value),
                    "NotIn" => !has || !values.Contains(value),
                    "Exists" => has,
                    "DoesNotExist" => !has,
                    _ => false,
                };
            });
    }

    static int FailureWindowSeconds(YamlNode? probe) =>
        (Int(probe, "initialDelaySeconds") ?? 0) + ((Int(probe, "periodSeconds") ?? 10) * (Int(probe, "failureThreshold") ?? 3));

    static bool IsSensitive(string name)
    {
        var normalized = name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return SensitiveName().IsMatch(normalized) || SecretBearingSettings.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex("PASSWORD|PASSWD|SECRET|KEY|TOKEN|CONNECTIONSTRING")]
    private static partial Regex SensitiveName();

    /// <summary>password=..., Password=...; (Npgsql, StackExchange.Redis) or a URL with user:password@.</summary>
    [GeneratedRegex(@"(?i)(password|pwd)\s*=\s*[^;,\s]+|://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex InlinePassword();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    // --- Small YAML helpers --------------------------------------------------------------------------------

    static YamlNode? Node(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    static string? Text(YamlNode? node, params string[] path) => ScalarValue(Node(node, path));

    static string? ScalarValue(YamlNode? node) => (node as YamlScalarNode)?.Value;

    static int? Int(YamlNode? node, params string[] path) =>
        int.TryParse(Text(node, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    static IEnumerable<YamlNode> Items(YamlNode? node) => node is YamlSequenceNode sequence ? sequence.Children : [];

    static IEnumerable<KeyValuePair<string, YamlNode>> Entries(YamlNode? node) =>
        node is YamlMappingNode mapping
            ? mapping.Children.Where(c => c.Key is YamlScalarNode { Value: not null }).Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, c.Value))
            : [];

    /// <summary>A Kubernetes quantity (100m, 0.5, 2, 256Mi, 1G, ...) as a number, or null.</summary>
    static decimal? Quantity(string text)
    {
        var match = QuantityPattern().Match(text.Trim());
        if (!match.Success || !decimal.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        decimal factor = match.Groups["suffix"].Value switch
        {
            "" => 1m,
            "m" => 0.001m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            "Ti" => 1024m * 1024 * 1024 * 1024,
            _ => 0m,
        };
        return factor == 0m ? null : number * factor;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<suffix>m|k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex QuantityPattern();

    // --- docker-compose.yml: which image is built from which project ----------------------------------------

    sealed record ComposeBuild(string Project, string Dockerfile);

    /// <summary>Image repository (e.g. etter/api) → the SERVICE build arg and Dockerfile that build it.</summary>
    static readonly Lazy<Dictionary<string, ComposeBuild>> ComposeImages = new(LoadComposeImages);

    static Dictionary<string, ComposeBuild> LoadComposeImages()
    {
        using var reader = File.OpenText(ComposeFile);
        var compose = Documents(reader).Single();
        var images = new Dictionary<string, ComposeBuild>(StringComparer.Ordinal);
        foreach (var (name, service) in Entries(Node(compose, "services")))
        {
            var build = Node(service, "build");
            var image = Text(service, "image");
            if (build is null || image is null)
            {
                continue;
            }

            // build: { <<: *etter-build, args: { SERVICE: Etter.Api } }: the merge key holds context and dockerfile.
            var project = Merged(Node(build, "args"), "SERVICE") ?? throw new InvalidOperationException($"compose service {name} has no SERVICE build arg");
            var context = Path.GetFullPath(Merged(build, "context") ?? ".", RepositoryPaths.Root);
            var dockerfile = Path.GetFullPath(Merged(build, "dockerfile") ?? "Dockerfile", context);
            images.Add(ImageRepository(image), new ComposeBuild(project, dockerfile));
        }

        Assert.True(images.Count > 0, "docker-compose.yml builds no images");
        return images;
    }

    /// <summary>A key of a mapping, or of a mapping merged into it with YAML's &lt;&lt; key.</summary>
    static string? Merged(YamlNode? mapping, string key) =>
        Text(mapping, key) ?? Node(mapping, "<<") switch
        {
            YamlMappingNode merged => Merged(merged, key),
            YamlSequenceNode list => list.Children.Select(m => Merged(m, key)).FirstOrDefault(v => v is not null),
            _ => null,
        };

    /// <summary>The image without its tag or digest: registry.example.com:5000/etter/api:1.0 → registry.example.com:5000/etter/api.</summary>
    static string ImageRepository(string image)
    {
        var withoutDigest = image.Split('@')[0];
        var lastSlash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.IndexOf(':', lastSlash + 1);
        return colon < 0 ? withoutDigest : withoutDigest[..colon];
    }
}
