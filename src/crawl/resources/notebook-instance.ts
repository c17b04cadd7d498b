import {
  DescribeNotebookInstanceCommand,
  ListNotebookInstancesCommand,
  type DescribeNotebookInstanceOutput,
  type NotebookInstanceSummary,
} from '@aws-sdk/client-sagemaker';
import { sageMakerArn } from '../../records/arn.js';
import { defineResource } from '../descriptor.js';
import { arnOr, resource, tagsOf } from './common.js';

export const notebookInstance = defineResource<NotebookInstanceSummary, DescribeNotebookInstanceOutput>({
  type: 'notebook-instance',
  label: 'AWSSageMakerNotebookInstance',
  list: { operation: 'ListNotebookInstances', command: ListNotebookInstancesCommand, items: 'NotebookInstances' },
  arnOf: (s) => s.NotebookInstanceArn!,
  enrich: [tagsOf('NotebookInstanceArn')],
  describe: {
    operation: 'DescribeNotebookInstance',
    command: DescribeNotebookInstanceCommand,
    input: (s) => ({ NotebookInstanceName: s.NotebookInstanceName }),
  },
  transform(d, scope) {
    const arn = arnOr(d.NotebookInstanceArn, () => sageMakerArn(scope.region, scope.account, 'notebook-instance', d.NotebookInstanceName!));
    const b = resource('AWSSageMakerNotebookInstance', arn, d, scope, {
      extra: { directInternetAccess: d.DirectInternetAccess ?? 'Enabled', rootAccess: d.RootAccess ?? 'Enabled' },
    });
    b.role(d.RoleArn).subnet(d.SubnetId).kms(d.KmsKeyId, 'KmsKeyId');
    for (const g of d.SecurityGroups ?? []) b.securityGroup(g);
    b.joinKey('CAN_INVOKE', 'from', d.RoleArn);
    return b.build();
  },
});
