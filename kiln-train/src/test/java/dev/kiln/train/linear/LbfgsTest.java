package dev.kiln.train.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LbfgsTest {
    @Test
    void minimisesTheRosenbrockFunction() {
        Lbfgs.Objective rosenbrock = (x, g) -> {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        };
        Lbfgs.Result r = new Lbfgs(500, 1e-10).minimize(rosenbrock, new double[] {-1.2, 1.0});
        assertThat(r.converged()).isTrue();
        assertThat(r.x()).containsExactly(new double[] {1.0, 1.0}, within(1e-6));
    }

    @Test
    void solvesAnIllConditionedQuadratic() {
        double[] scale = {1, 10, 100, 1000, 10000};
        Lbfgs.Objective q = (x, g) -> {
            double f = 0;
            for (int i = 0; i < x.length; i++) {
                double d = x[i] - (i + 1);
                f += 0.5 * scale[i] * d * d;
                g[i] = scale[i] * d;
            }
            return f;
        };
        Lbfgs.Result r = new Lbfgs(500, 1e-12).minimize(q, new double[5]);
        assertThat(r.x()).containsExactly(new double[] {1, 2, 3, 4, 5}, within(1e-8));
    }
}
