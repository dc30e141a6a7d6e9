import { config } from '@consilium/eslint-config';

const restrictedImports = {
  paths: [
    { name: '@trpc/server', importNames: ['TRPCError'], message: 'Throw AppError from @consilium/errors; the API maps it once.' },
    {
      name: '@consilium/api',
      allowTypeImports: true,
      message: 'Import only types from @consilium/api (it is the hub\'s server code); use createHubClient from @consilium/api/client.',
    },
    { name: 'next/font/google', message: 'The portal runs without internet access: use local fonts or the system font stack.' },
  ],
};

export default [
  ...config({ tsconfigRootDir: import.meta.dirname }),
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // The shared config's TRPCError rule, plus type-only imports of the server package.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', restrictedImports],
      'no-restricted-syntax': [
        'error',
        { selector: 'JSXAttribute[name.name="dangerouslySetInnerHTML"]', message: 'Render text; never inject HTML from the hub.' },
        { selector: 'JSXOpeningElement[name.name="img"]:not(:has(JSXAttribute[name.name="alt"]))', message: 'Images need an alt text (alt="" if decorative).' },
        { selector: 'JSXElement[openingElement.name.name="table"]:not(:has(JSXOpeningElement[name.name="caption"]))', message: 'Data tables need a <caption> (it names the table for screen readers).' },
        { selector: 'JSXOpeningElement[name.name="th"]:not(:has(JSXAttribute[name.name="scope"]))', message: 'Header cells need scope="col" or scope="row".' },
        { selector: 'JSXAttribute[name.name="tabIndex"][value.expression.value>0]', message: 'Positive tabIndex breaks the natural keyboard order.' },
      ],
    },
  },
];
