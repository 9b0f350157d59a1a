package io.lyre.scheduler.store;

import io.lyre.scheduler.policy.PolicyRepository;

import java.util.List;
import java.util.Optional;

/**
 * Durable placements, policies and events. Every write method is one transaction: its placement changes and its
 * events land together or not at all. An app has at most one placement.
 */
public interface PlacementStore extends PolicyRepository, AutoCloseable {

    /** Inserts or updates (by placement id) the placement and appends the events. */
    void save(StoredPlacement placement, SchedulerEvent... events);

    /** Removes the placement (if there) and appends the events; false when it was not there. */
    boolean remove(String placementId, SchedulerEvent... events);

    /** Swaps an app's placement for a new one (a move) and appends the events. */
    void replace(String oldPlacementId, StoredPlacement next, SchedulerEvent... events);

    Optional<StoredPlacement> byId(String placementId);

    Optional<StoredPlacement> byApp(String app);

    List<StoredPlacement> all();

    List<StoredPlacement> onEngine(String engineId);

    void append(SchedulerEvent event);

    /** The newest events first, at most {@code limit}. */
    List<SchedulerEvent> events(int limit);

    /** Keeps the JSON create request of an app (replacing an older one) so it can be created again elsewhere. */
    void saveCreateRequest(String app, String json);

    Optional<String> createRequest(String app);

    /** Forgets an app's create request; false when there was none. */
    boolean deleteCreateRequest(String app);

    @Override
    void close();
}
