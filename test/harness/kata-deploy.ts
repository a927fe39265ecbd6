// The tests play kata-deploy's part: on a real cluster it installs the Kata RuntimeClasses; here nothing would.
import { KubeConfig } from "@kubernetes/client-node";
import { runtimeClass } from "../../functions/label-kata-node/runtime-classes.ts";
import { apply } from "../../shared/kube-apply.ts";
import { kubeFromConfig } from "../../shared/kube.ts";

/** kata-qemu and kata-clh, exactly as label-kata-node (and deploy/kata/runtime-classes.yaml) shape them. */
export async function installKataRuntimeClasses(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const kube = kubeFromConfig(kc);
  for (const shim of ["qemu", "clh"]) await apply(kube, runtimeClass(shim), "kata-deploy");
}
