package io.lyre.scheduler.policy;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads policies from a JSON file (one policy object or a list of them) or from every {@code *.json} in a directory,
 * in name order. Nothing is applied unless every file is valid: errors are collected with the file name and the
 * index of the policy in it ({@code gpu.json[1].devices[0].count: must be >= 1}).
 */
public final class PolicyFileLoader {

    private PolicyFileLoader() {
    }

    public static List<PlacementPolicy> read(Path path) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
            }
        } else {
            files.add(path);
        }
        List<PlacementPolicy> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            JsonNode root;
            try {
                root = PolicyJson.mapper().readTree(Files.readString(file));
            } catch (IOException e) {
                errors.add(name + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
                continue;
            }
            List<JsonNode> items = new ArrayList<>();
            if (root != null && root.isArray()) {
                root.forEach(items::add);
            } else {
                items.add(root);
            }
            for (int i = 0; i < items.size(); i++) {
                String where = root != null && root.isArray() ? name + "[" + i + "]" : name;
                try {
                    out.add(PolicyJson.fromTree(items.get(i)));
                } catch (PolicyValidationException e) {
                    e.errors().forEach(err -> errors.add(where + "." + err));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new PolicyValidationException(errors);
        }
        return out;
    }

    /** Reads and puts every policy; all or nothing. Returns how many were loaded. */
    public static int load(Path path, PolicyService service) throws IOException {
        List<PlacementPolicy> policies = read(path);
        policies.forEach(service::put);
        return policies.size();
    }
}
