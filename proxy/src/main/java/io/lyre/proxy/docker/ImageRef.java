package io.lyre.proxy.docker;

/** Tiny parser for Docker image references, enough to read the tag. */
public final class ImageRef {
    private ImageRef() {
    }

    /** The tag of "registry:5000/org/img:tag@sha256:..", "latest" when there is none. */
    public static String tag(String ref) {
        String r = ref;
        int at = r.indexOf('@');
        if (at >= 0) {
            r = r.substring(0, at);
        }
        int slash = r.lastIndexOf('/');
        int colon = r.lastIndexOf(':');
        return colon > slash ? r.substring(colon + 1) : "latest";
    }
}
