package io.convergence.designer.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Several commands as one undo step (a delete and the edges it takes along, a paste, a rename and its references). */
public record CompoundCommand(String description, List<Command> parts) implements Command {
    public CompoundCommand {
        requireNonNull(description, "description is null");
        parts = List.copyOf(parts);
    }

    @Override
    public DesignState apply(DesignState state) {
        DesignState current = state;
        for (Command part : parts) {
            current = part.apply(current);
        }
        return current;
    }
}
