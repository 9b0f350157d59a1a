package io.lyre.scheduler.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lyre.devices.DeviceKind;
import io.lyre.scheduler.constraint.Constraint;
import io.lyre.scheduler.constraint.ConstraintSyntaxException;
import io.lyre.scheduler.constraint.Quantity;
import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Sharing;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The JSON form of a {@link PlacementPolicy}:
 * <pre>
 * { "app": "llm2", "cores": 4, "memory": "16 GiB",
 *   "devices": [ { "kind": "GPU", "vendor": "NVIDIA", "count": 1,
 *                  "constraints": ["memory >= 20 GiB", "cuda.cc >= 8.0"],
 *                  "affinities": [ { "when": "model matches A100", "weight": 50 } ],
 *                  "sharing": "exclusive" } ],          // or { "maxApps": 4 }
 *   "engineLabels": ["zone = basement"], "slot": 24001, "reschedule": true }
 * </pre>
 * Read by walking the tree rather than by data binding, so every error names its field path and all errors
 * are reported at once; unknown fields are errors (a typo must not silently fall back to a default).
 */
public final class PolicyJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> POLICY_FIELDS = Set.of("app", "cores", "memory", "devices", "engineLabels", "slot", "reschedule");
    private static final Set<String> ASK_FIELDS = Set.of("kind", "vendor", "count", "constraints", "affinities", "sharing");
    private static final Set<String> AFFINITY_FIELDS = Set.of("when", "weight");

    private PolicyJson() {
    }

    /** Parses and validates; throws {@link PolicyValidationException} listing every problem by field. */
    public static PlacementPolicy parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new PolicyValidationException(List.of("policy: not valid JSON" + (loc == null ? "" :
                    " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()) + ": " + e.getOriginalMessage()));
        }
        return fromTree(root);
    }

    public static PlacementPolicy fromTree(JsonNode root) {
        List<String> errors = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new PolicyValidationException(List.of("policy: must be a JSON object"));
        }
        unknownFields(root, POLICY_FIELDS, "", errors);
        String app = text(root, "app", "app", errors, true);
        OptionalLong milliCores = OptionalLong.empty();
        JsonNode cores = root.get("cores");
        if (cores != null && !cores.isNull()) {
            if (cores.isNumber()) {
                milliCores = OptionalLong.of(Math.round(cores.asDouble() * 1000));
            } else {
                errors.add("cores: must be a number of cores (2, 0.5)");
            }
        }
        OptionalLong memory = OptionalLong.empty();
        JsonNode mem = root.get("memory");
        if (mem != null && !mem.isNull()) {
            long bytes = mem.isIntegralNumber() ? mem.asLong() : mem.isTextual() ? Quantity.bytes(mem.asText()) : -1;
            if (bytes < 0) {
                errors.add("memory: must be bytes or a size like \"16 GiB\", got " + mem);
            } else {
                memory = OptionalLong.of(bytes);
            }
        }
        Optional<List<DeviceAsk>> devices = Optional.empty();
        JsonNode devs = root.get("devices");
        if (devs != null && !devs.isNull()) {
            if (!devs.isArray()) {
                errors.add("devices: must be a list");
            } else {
                List<DeviceAsk> asks = new ArrayList<>();
                for (int i = 0; i < devs.size(); i++) {
                    DeviceAsk ask = ask(devs.get(i), "devices[" + i + "]", errors);
                    if (ask != null) {
                        asks.add(ask);
                    }
                }
                devices = Optional.of(asks);
            }
        }
        List<Constraint> labels = constraints(root.get("engineLabels"), "engineLabels", errors);
        OptionalInt slot = OptionalInt.empty();
        JsonNode s = root.get("slot");
        if (s != null && !s.isNull()) {
            if (s.isInt()) {
                slot = OptionalInt.of(s.asInt());
            } else {
                errors.add("slot: must be an integer 24001-24099");
            }
        }
        boolean reschedule = true;
        JsonNode r = root.get("reschedule");
        if (r != null && !r.isNull()) {
            if (r.isBoolean()) {
                reschedule = r.asBoolean();
            } else {
                errors.add("reschedule: must be true or false");
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyValidationException(errors);
        }
        PlacementPolicy policy = new PlacementPolicy(app, milliCores, memory, devices, labels, slot, reschedule);
        PolicyValidator.check(policy);
        return policy;
    }

    private static DeviceAsk ask(JsonNode node, String at, List<String> errors) {
        if (node == null || !node.isObject()) {
            errors.add(at + ": must be an object with kind, count, ...");
            return null;
        }
        int before = errors.size();
        unknownFields(node, ASK_FIELDS, at + ".", errors);
        DeviceKind kind = null;
        String k = text(node, "kind", at + ".kind", errors, true);
        if (k != null) {
            try {
                kind = DeviceKind.valueOf(k.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(at + ".kind: must be one of GPU, FPGA, ACCELERATOR, got '" + k + "'");
            }
        }
        String vendor = text(node, "vendor", at + ".vendor", errors, false);
        int count = 1;
        JsonNode c = node.get("count");
        if (c != null && !c.isNull()) {
            if (c.isInt()) {
                count = c.asInt();
            } else {
                errors.add(at + ".count: must be an integer");
            }
        }
        List<Constraint> constraints = constraints(node.get("constraints"), at + ".constraints", errors);
        List<Affinity> affinities = new ArrayList<>();
        JsonNode affs = node.get("affinities");
        if (affs != null && !affs.isNull()) {
            if (!affs.isArray()) {
                errors.add(at + ".affinities: must be a list");
            } else {
                for (int j = 0; j < affs.size(); j++) {
                    String aat = at + ".affinities[" + j + "]";
                    JsonNode a = affs.get(j);
                    if (!a.isObject()) {
                        errors.add(aat + ": must be an object {\"when\": \"...\", \"weight\": 50}");
                        continue;
                    }
                    unknownFields(a, AFFINITY_FIELDS, aat + ".", errors);
                    String when = text(a, "when", aat + ".when", errors, true);
                    JsonNode w = a.get("weight");
                    if (w == null || !w.isInt()) {
                        errors.add(aat + ".weight: must be an integer -100..100");
                        continue;
                    }
                    if (when != null) {
                        try {
                            affinities.add(Affinity.parse(when, w.asInt()));
                        } catch (ConstraintSyntaxException e) {
                            errors.add(aat + ".when: " + e.getMessage());
                        }
                    }
                }
            }
        }
        Sharing sharing = Sharing.EXCLUSIVE;
        JsonNode sh = node.get("sharing");
        if (sh != null && !sh.isNull()) {
            if (sh.isTextual() && sh.asText().equalsIgnoreCase("exclusive")) {
                sharing = Sharing.EXCLUSIVE;
            } else if (sh.isObject()) {
                unknownFields(sh, Set.of("maxApps"), at + ".sharing.", errors);
                JsonNode m = sh.get("maxApps");
                if (m == null || !m.isInt()) {
                    errors.add(at + ".sharing.maxApps: must be an integer >= 1");
                } else {
                    sharing = Sharing.shared(m.asInt());
                }
            } else {
                errors.add(at + ".sharing: must be \"exclusive\" or {\"maxApps\": N}");
            }
        }
        if (errors.size() > before || kind == null) {
            return null;
        }
        return new DeviceAsk(kind, vendor, count, constraints, affinities, sharing);
    }

    private static List<Constraint> constraints(JsonNode node, String at, List<String> errors) {
        List<Constraint> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            errors.add(at + ": must be a list of strings like \"memory >= 20 GiB\"");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                errors.add(at + "[" + i + "]: must be a string like \"memory >= 20 GiB\"");
                continue;
            }
            try {
                out.add(Constraint.parse(item.asText()));
            } catch (ConstraintSyntaxException e) {
                errors.add(at + "[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static String text(JsonNode node, String field, String at, List<String> errors, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                errors.add(at + ": is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            errors.add(at + ": must be a string");
            return null;
        }
        return v.asText();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix, List<String> errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                errors.add(prefix + name + ": unknown field (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The canonical JSON of a policy: fixed field order, constraints as written; what the store and hash keep. */
    public static String write(PlacementPolicy p) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("app", p.app());
        p.milliCores().ifPresent(m -> root.put("cores", m / 1000.0));
        p.memoryBytes().ifPresent(m -> root.put("memory", m));
        p.devices().ifPresent(asks -> {
            ArrayNode list = root.putArray("devices");
            for (DeviceAsk a : asks) {
                ObjectNode o = list.addObject();
                o.put("kind", a.kind().name());
                if (!a.vendor().isEmpty()) {
                    o.put("vendor", a.vendor());
                }
                o.put("count", a.count());
                ArrayNode cs = o.putArray("constraints");
                a.constraints().forEach(c -> cs.add(c.source()));
                ArrayNode as = o.putArray("affinities");
                a.affinities().forEach(af -> as.addObject().put("when", af.when().source()).put("weight", af.weight()));
                if (a.sharing().exclusive()) {
                    o.put("sharing", "exclusive");
                } else {
                    o.putObject("sharing").put("maxApps", a.sharing().maxAppsPerDevice());
                }
            }
        });
        ArrayNode labels = root.putArray("engineLabels");
        p.engineLabels().forEach(c -> labels.add(c.source()));
        p.slot().ifPresent(s -> root.put("slot", s));
        root.put("reschedule", p.reschedule());
        return root.toString();
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }
}
