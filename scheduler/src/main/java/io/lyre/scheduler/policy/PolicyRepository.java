package io.lyre.scheduler.policy;

import java.util.Map;

/** Where policies persist (the placement store implements it); the policy service keeps a cache in front. */
public interface PolicyRepository {

    void savePolicy(String app, String json, String hash);

    boolean deletePolicy(String app);

    /** app -> canonical JSON. */
    Map<String, String> loadPolicies();

    /** Keeps policies in memory only. */
    PolicyRepository NONE = new PolicyRepository() {
        @Override
        public void savePolicy(String app, String json, String hash) {
        }

        @Override
        public boolean deletePolicy(String app) {
            return false;
        }

        @Override
        public Map<String, String> loadPolicies() {
            return Map.of();
        }
    };
}
