package io.lyre.agent;

import picocli.CommandLine;

/** The agent's version, from the jar manifest when packaged. */
public final class AgentVersion implements CommandLine.IVersionProvider {

    public static String current() {
        String v = AgentVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"lyre-agent " + current()};
    }
}
