package io.lyre.proxy.exapp;

/** The Nextcloud user behind a request, as Nextcloud's {@code user-info} call-back reports it. */
public record NcUser(String userId, AccessLevel accessLevel) {
    public static final NcUser ANONYMOUS = new NcUser("", AccessLevel.PUBLIC);
}
