import { Component, Profiler, useEffect } from 'react';
import type { ReactNode } from 'react';

/**
 * Render options that mount under StrictMode at the root (RTL's `reactStrictMode`; a StrictMode
 * inside a `wrapper` does not double-invoke effects in React 19, because the newly placed root
 * fiber is outside it), with a Profiler counting commits of the subtree and an effect counting
 * mounts, so a test can prove the double mount happened.
 */
export function strictHarness(): {
  options: { wrapper: (props: { children: ReactNode }) => ReactNode; reactStrictMode: true };
  commits: () => number;
  mounts: () => number;
} {
  let commits = 0;
  let mounts = 0;
  const wrapper = ({ children }: { children: ReactNode }) => {
    useEffect(() => {
      mounts++;
    }, []);
    return (
      <Profiler id="under-test" onRender={() => commits++}>
        {children}
      </Profiler>
    );
  };
  return { options: { wrapper, reactStrictMode: true }, commits: () => commits, mounts: () => mounts };
}

/** Renders `error.message` instead of its children once they throw. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    return this.state.error ? <p>caught: {this.state.error.message}</p> : this.props.children;
  }
}

/** Lets a pending microtask (the default release of a store) run. */
export const afterGrace = (): Promise<void> => Promise.resolve();
