package io.lyre.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent's command line: {@code agent devices}, and the tunnel commands. */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentVersion.class,
        description = "Lyre agent: lists this host's devices and serves its Docker engine to a Lyre proxy.",
        subcommands = {DevicesCommand.class, JoinCommand.class, RunCommand.class, CommandLine.HelpCommand.class})
public final class AgentMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code; 2 for a wrong command line. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for callers that redirect its output. */
    public static CommandLine commandLine() {
        return new CommandLine(new AgentMain());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try 'agent devices'");
    }
}
