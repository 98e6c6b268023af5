namespace EvoAct.Search.Mutation;

public enum MutationKind { Identity, Unary, Binary }
