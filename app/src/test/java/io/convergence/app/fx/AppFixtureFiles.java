package io.convergence.app.fx;

import java.nio.file.Path;

/** The demo workspace copy, for tests outside the fx package. */
public final class AppFixtureFiles {
    private AppFixtureFiles() {
    }

    public static void copyDemo(Path target) {
        AppFixture.copyTree(AppFixture.demoWorkspace(), target);
    }
}
